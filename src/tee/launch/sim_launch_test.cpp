#include "tee/launch/sim_launch.h"

#include <doctest/doctest.h>

#include <array>

using namespace cw::tee;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using cw::vmm::RegionSpec;

namespace {

GuestMemory ram() {
    const std::array<RegionSpec, 1> regions{{{GuestAddress(0), 0x10000}}};
    return GuestMemory::create_anonymous(regions).value();
}

}  // namespace

TEST_CASE("the sim launch measures the recorded pages, then one VMSA per vCPU") {
    auto memory = ram();
    REQUIRE(memory.fill(GuestAddress(0x2000), 0x1000, 0xab).ok());
    LaunchPages pages;
    REQUIRE(pages.add(memory, GuestAddress(0x2000), 0x1000).ok());
    REQUIRE(pages.add(memory, GuestAddress(0x1000), 1).ok());
    const std::array<VcpuLaunchState, 2> vcpus{VcpuLaunchState{}, reset_vcpu_state()};

    auto digest = measure_sim_launch(memory, pages, vcpus, true).value();

    SnpLaunchDigest expected;
    std::array<uint8_t, 0x1000> zeros{};
    std::array<uint8_t, 0x1000> filled{};
    filled.fill(0xab);
    REQUIRE(expected.update(SnpPageType::Normal, 0x1000, zeros).ok());
    REQUIRE(expected.update(SnpPageType::Normal, 0x2000, filled).ok());
    REQUIRE(expected.update(SnpPageType::Vmsa, kSnpVmsaGpa, serialize_sim_vmsa(vcpus[0], 0)).ok());
    REQUIRE(expected.update(SnpPageType::Vmsa, kSnpVmsaGpa, serialize_sim_vmsa(vcpus[1], 1)).ok());
    CHECK(digest.digest() == expected.digest());
    CHECK(digest.trace().size() == 4);
}
