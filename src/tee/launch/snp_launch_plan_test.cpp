#include "tee/launch/snp_launch_plan.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace cw::tee;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using cw::vmm::RegionSpec;

namespace {

// 64 KiB at 0 and 16 KiB at 1 MiB, with a hole between, like low RAM and RAM above the MMIO hole.
GuestMemory two_regions() {
    const std::array<RegionSpec, 2> regions{{{GuestAddress(0), 0x10000}, {GuestAddress(0x100000), 0x4000}}};
    return GuestMemory::create_anonymous(regions).value();
}

std::string error_of(const cw::Result<std::vector<SnpLaunchRange>>& r) {
    return r.ok() ? std::string("(ok)") : r.error().to_string();
}

}  // namespace

TEST_CASE("the SNP plan launches every RAM page once, ascending, with its type") {
    auto memory = two_regions();
    LaunchPages loaded;
    REQUIRE(loaded.add(memory, GuestAddress(0x0), 0x600).ok());     // page 0
    REQUIRE(loaded.add(memory, GuestAddress(0x7000), 0x2000).ok());  // pages 7, 8
    REQUIRE(loaded.add(memory, GuestAddress(0x101000), 1).ok());     // in the second region

    auto plan = snp_launch_plan(memory, loaded, {0x5000, 0x6000});
    REQUIRE(plan.ok());
    const std::vector<SnpLaunchRange> expected{
        {SnpPageType::Normal, 0x0, 1},     {SnpPageType::Zero, 0x1000, 4},    {SnpPageType::Secrets, 0x5000, 1},
        {SnpPageType::Cpuid, 0x6000, 1},   {SnpPageType::Normal, 0x7000, 2},  {SnpPageType::Zero, 0x9000, 7},
        {SnpPageType::Zero, 0x100000, 1},  {SnpPageType::Normal, 0x101000, 1}, {SnpPageType::Zero, 0x102000, 2},
    };
    CHECK(*plan == expected);
    uint64_t pages = 0;
    for (const auto& r : *plan)
        pages += r.pages;
    CHECK(pages * 0x1000 == memory.total_size());
}

TEST_CASE("ZERO ranges are not merged across the hole between RAM regions") {
    auto memory = two_regions();
    LaunchPages loaded;
    REQUIRE(loaded.add(memory, GuestAddress(0x0), 1).ok());
    auto plan = snp_launch_plan(memory, loaded, {0x1000, 0x2000});
    REQUIRE(plan.ok());
    REQUIRE(plan->size() == 5);
    CHECK((*plan)[3] == SnpLaunchRange{SnpPageType::Zero, 0x3000, 13});
    CHECK((*plan)[4] == SnpLaunchRange{SnpPageType::Zero, 0x100000, 4});
}

TEST_CASE("a range never spans two adjacent RAM regions (separate memslots)") {
    const std::array<RegionSpec, 2> regions{{{GuestAddress(0), 0x10000}, {GuestAddress(0x10000), 0x4000}}};
    auto memory = GuestMemory::create_anonymous(regions).value();
    LaunchPages loaded;
    REQUIRE(loaded.add(memory, GuestAddress(0xf000), 0x1000).ok());   // the last page of one
    REQUIRE(loaded.add(memory, GuestAddress(0x10000), 0x1000).ok());  // and the first of the next
    auto plan = snp_launch_plan(memory, loaded, {0x1000, 0x2000});
    REQUIRE(plan.ok());
    const std::vector<SnpLaunchRange> expected{
        {SnpPageType::Zero, 0x0, 1},       {SnpPageType::Secrets, 0x1000, 1}, {SnpPageType::Cpuid, 0x2000, 1},
        {SnpPageType::Zero, 0x3000, 12},   {SnpPageType::Normal, 0xf000, 1},  {SnpPageType::Normal, 0x10000, 1},
        {SnpPageType::Zero, 0x11000, 3},
    };
    CHECK(*plan == expected);
}

TEST_CASE("misplaced firmware pages are refused, naming the page") {
    auto memory = two_regions();
    LaunchPages loaded;
    REQUIRE(loaded.add(memory, GuestAddress(0x7000), 1).ok());
    CHECK(error_of(snp_launch_plan(memory, loaded, {0x5001, 0x6000})) == "SNP secrets page 0x5001: not 4 KiB aligned");
    CHECK(error_of(snp_launch_plan(memory, loaded, {0x5000, 0x20000})) == "SNP CPUID page 0x20000: not in guest RAM");
    CHECK(error_of(snp_launch_plan(memory, loaded, {0x7000, 0x6000})) ==
          "SNP secrets page 0x7000: the loader also wrote this page");
    CHECK(error_of(snp_launch_plan(memory, loaded, {0x6000, 0x6000})) == "SNP secrets and CPUID pages are both at 0x6000");
}

TEST_CASE("the plan's digest hashes NORMAL pages from memory, the others by type, then the VMSAs") {
    auto memory = two_regions();
    REQUIRE(memory.fill(GuestAddress(0x7000), 0x1000, 0x5a).ok());
    LaunchPages loaded;
    REQUIRE(loaded.add(memory, GuestAddress(0x7000), 0x10).ok());
    auto plan = snp_launch_plan(memory, loaded, {0x5000, 0x6000}).value();
    std::array<SnpVmsaBytes, 2> vmsas{};
    vmsas[0].fill(1);
    vmsas[1].fill(2);

    auto digest = measure_snp_launch_plan(memory, plan, vmsas, true);
    REQUIRE(digest.ok());

    SnpLaunchDigest expected;
    std::array<uint8_t, 0x1000> page{};
    page.fill(0x5a);
    REQUIRE(expected.update_range(SnpPageType::Zero, 0x0, 5).ok());
    REQUIRE(expected.update(SnpPageType::Secrets, 0x5000, {}).ok());
    REQUIRE(expected.update(SnpPageType::Cpuid, 0x6000, {}).ok());
    REQUIRE(expected.update(SnpPageType::Normal, 0x7000, page).ok());
    REQUIRE(expected.update_range(SnpPageType::Zero, 0x8000, 8).ok());
    REQUIRE(expected.update_range(SnpPageType::Zero, 0x100000, 4).ok());
    REQUIRE(expected.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsas[0]).ok());
    REQUIRE(expected.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsas[1]).ok());
    CHECK(digest->digest() == expected.digest());
    CHECK(digest->trace().size() == 16 + 4 + 2);

    // One byte of a NORMAL page changes the digest; a byte in a ZERO page is not measured
    // (the firmware zeroes those pages anyway).
    REQUIRE(memory.fill(GuestAddress(0x9000), 1, 0xff).ok());
    CHECK(measure_snp_launch_plan(memory, plan, vmsas)->digest() == expected.digest());
    REQUIRE(memory.fill(GuestAddress(0x7fff), 1, 0xff).ok());
    CHECK(measure_snp_launch_plan(memory, plan, vmsas)->digest() != expected.digest());
}
