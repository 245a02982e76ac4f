#include "tee/snp/snp_launch_run.h"

#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <string>
#include <vector>

#include "base/hex.h"
#include "tee/snp/fake_snp_kvm.h"

using namespace cw::tee;
using namespace cw::tee::snp;
using cw::tee::snp::testing::FakeSnpKvm;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using cw::vmm::RegionSpec;

namespace {

struct Fixture {
    GuestMemory memory = GuestMemory::create_anonymous(std::array<RegionSpec, 2>{
                                                           {{GuestAddress(0), 0x20000}, {GuestAddress(0x100000), 0x3000}}})
                             .value();
    std::vector<SnpLaunchRange> plan;
    std::array<SnpVmsaPage, 2> vmsas{};
    SnpHostData host_data{};
    Sha384Digest expected{};

    Fixture() {
        REQUIRE(memory.fill(GuestAddress(0x7000), 0x2000, 0x42).ok());
        REQUIRE(memory.fill(GuestAddress(0x101000), 0x10, 0x17).ok());
        LaunchPages loaded;
        REQUIRE(loaded.add(memory, GuestAddress(0x7000), 0x2000).ok());
        REQUIRE(loaded.add(memory, GuestAddress(0x101000), 0x10).ok());
        plan = snp_launch_plan(memory, loaded, {0x5000, 0x6000}).value();
        vmsas[0].fill(0xa0);
        vmsas[1].fill(0xa1);
        host_data.fill(0x33);
        // What cw-measure computes offline for these pages.
        expected = measure_snp_launch_plan(memory, plan, vmsas).value().digest();
    }
};

void start(SnpLaunch& launch) {
    REQUIRE(launch.init(kSnpVmsaFeatures).ok());
    REQUIRE(launch.start({}).ok());
}

}  // namespace

TEST_CASE("the VMM issues the plan range by range and finishes with the offline digest") {
    Fixture f;
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start(launch);
    REQUIRE(run_snp_launch_plan(launch, f.memory, f.plan, f.host_data, f.vmsas, f.expected).ok());

    REQUIRE(kvm.updates.size() == f.plan.size());
    for (size_t i = 0; i < f.plan.size(); ++i) {
        const auto& u = kvm.updates[i];
        CHECK(u.gfn_start == f.plan[i].gpa / 0x1000);
        CHECK(u.len == f.plan[i].pages * 0x1000);
        CHECK(u.type == static_cast<uint8_t>(f.plan[i].type));
        // The source is the VMM's own mapping of those very pages.
        CHECK(u.uaddr == std::bit_cast<uintptr_t>(f.memory.slice(GuestAddress(f.plan[i].gpa), 1).value().data()));
    }
    CHECK(kvm.calls.back() == "finish");
    CHECK(kvm.finish->host_data == f.host_data);
    CHECK(launch.state() == SnpLaunchState::Finished);

    const auto offline = measure_snp_launch_plan(f.memory, f.plan, f.vmsas).value();
    CHECK(launch.digest().digest() == offline.digest());
}

TEST_CASE("a launch that was not started is refused before any update") {
    Fixture f;
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    auto r = run_snp_launch_plan(launch, f.memory, f.plan, f.host_data, f.vmsas, f.expected);
    REQUIRE(!r.ok());
    CHECK(r.error().to_string().find("created") != std::string::npos);
    CHECK(kvm.updates.empty());
}

TEST_CASE("a failed update stops the launch: nothing is finished") {
    Fixture f;
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start(launch);
    kvm.fail_on = "update";
    auto r = run_snp_launch_plan(launch, f.memory, f.plan, f.host_data, f.vmsas, f.expected);
    REQUIRE(!r.ok());
    CHECK(r.error().to_string().find("SNP_LAUNCH_UPDATE at GPA 0x0") != std::string::npos);
    CHECK(kvm.updates.size() == 1);
    CHECK(!kvm.finish.has_value());
    CHECK(launch.state() == SnpLaunchState::Failed);
}

TEST_CASE("a launch that would not measure the expected digest is never finished") {
    Fixture f;
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start(launch);
    SUBCASE("a page changed after the prediction") {
        REQUIRE(f.memory.fill(GuestAddress(0x7000), 1, 0x43).ok());
    }
    SUBCASE("another VMSA") {
        f.vmsas[1][0] ^= 1;
    }
    SUBCASE("another prediction") {
        f.expected[47] ^= 1;
    }
    auto r = run_snp_launch_plan(launch, f.memory, f.plan, f.host_data, f.vmsas, f.expected);
    REQUIRE(!r.ok());
    CHECK(r.error().to_string().find("not the expected " + cw::to_hex_lower(f.expected)) != std::string::npos);
    CHECK(kvm.updates.size() == f.plan.size());
    CHECK(!kvm.finish.has_value());
}
