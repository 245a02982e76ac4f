#include "vmm/arch/x86_64/memory_map.h"

#include <doctest/doctest.h>

using namespace cw::vmm;
using namespace cw::vmm::x86;

TEST_CASE("memory below the MMIO gap is one region at 0") {
    auto r = ram_regions(256 * kMiB);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK(r->at(0).start == GuestAddress(0));
    CHECK(r->at(0).size == 256 * kMiB);
}

TEST_CASE("memory exactly up to the MMIO gap stays one region") {
    auto r = ram_regions(kMmioGapStart.value());
    REQUIRE(r.ok());
    CHECK(r->size() == 1);
}

TEST_CASE("memory larger than the gap continues at 4 GiB") {
    auto r = ram_regions(4 * kGiB);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK(r->at(0).size == kMmioGapStart.value());
    CHECK(r->at(1).start == kHighRamStart);
    CHECK(r->at(1).size == 4 * kGiB - kMmioGapStart.value());
}

TEST_CASE("a memory size that is not a page multiple is refused") {
    auto r = ram_regions(64 * kMiB + 512);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("multiple of 4 KiB") != std::string::npos);
}

TEST_CASE("a memory size below the minimum is refused") {
    auto r = ram_regions(16 * kMiB);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("minimum of 32 MiB") != std::string::npos);
}

TEST_CASE("a memory size beyond the guest's physical address space is refused") {
    CHECK_FALSE(ram_regions(kMaxPhysAddr).ok());
    CHECK_FALSE(ram_regions(UINT64_MAX & ~(kPageSize - 1)).ok());
}

TEST_CASE("e820 for low memory only: RAM, reserved EBDA to 1 MiB, RAM") {
    RegionSpec low{GuestAddress(0), 128 * kMiB};
    auto map = e820_map(std::span(&low, 1));
    REQUIRE(map.size() == 3);
    CHECK(map[0] == E820Entry{0, kEbdaStart.value(), kE820Ram});
    CHECK(map[1] == E820Entry{kEbdaStart.value(), kHighMemStart.value() - kEbdaStart.value(), kE820Reserved});
    CHECK(map[2] == E820Entry{kHighMemStart.value(), 128 * kMiB - kHighMemStart.value(), kE820Ram});
}

TEST_CASE("e820 for memory split around the gap adds the high region") {
    auto regions = ram_regions(6 * kGiB);
    REQUIRE(regions.ok());
    auto map = e820_map(regions.value());
    REQUIRE(map.size() == 4);
    CHECK(map[2] == E820Entry{kHighMemStart.value(), kMmioGapStart.value() - kHighMemStart.value(), kE820Ram});
    CHECK(map[3] == E820Entry{kHighRamStart.value(), 6 * kGiB - kMmioGapStart.value(), kE820Ram});
}

TEST_CASE("e820 from a GuestMemory matches e820 from its regions") {
    auto regions = ram_regions(32 * kMiB);
    REQUIRE(regions.ok());
    auto memory = GuestMemory::create_anonymous(regions.value());
    REQUIRE(memory.ok());
    CHECK(e820_map(memory.value()) == e820_map(regions.value()));
}

TEST_CASE("reserve_e820 splits the RAM entry around the reserved range") {
    RegionSpec low{GuestAddress(0), 128 * kMiB};
    auto map = e820_map(std::span(&low, 1));
    REQUIRE(reserve_e820(map, 0x4000, 0x3000).ok());
    REQUIRE(map.size() == 5);
    CHECK(map[0] == E820Entry{0, 0x4000, kE820Ram});
    CHECK(map[1] == E820Entry{0x4000, 0x3000, kE820Reserved});
    CHECK(map[2] == E820Entry{0x7000, kEbdaStart.value() - 0x7000, kE820Ram});
    CHECK(map[3].type == kE820Reserved);
    // At the very start of a RAM entry: no empty RAM piece is left in front of it.
    REQUIRE(reserve_e820(map, 0, 0x1000).ok());
    CHECK(map[0] == E820Entry{0, 0x1000, kE820Reserved});
    CHECK(map[1] == E820Entry{0x1000, 0x3000, kE820Ram});
}

TEST_CASE("reserve_e820 refuses a range outside one RAM entry") {
    RegionSpec low{GuestAddress(0), 128 * kMiB};
    auto map = e820_map(std::span(&low, 1));
    const auto before = map;
    auto across = reserve_e820(map, kEbdaStart.value() - 0x1000, 0x2000);  // RAM into the reserved EBDA
    REQUIRE(!across.ok());
    CHECK(across.error().to_string().find("cannot reserve [0x9ec00, 0xa0c00)") != std::string::npos);
    CHECK(!reserve_e820(map, 0x4000, 0).ok());
    CHECK(!reserve_e820(map, 200 * kMiB, 0x1000).ok());
    CHECK(map == before);
}
