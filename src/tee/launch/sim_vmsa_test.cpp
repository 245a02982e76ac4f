#include "tee/launch/sim_vmsa.h"

#include <doctest/doctest.h>

#include <cstring>

using namespace cw::tee;

namespace {

uint64_t u64_at(const SimVmsaPage& page, size_t offset) {
    uint64_t v = 0;
    std::memcpy(&v, page.data() + offset, sizeof v);
    return v;
}

}  // namespace

TEST_CASE("the sim VMSA starts with its magic, version and vCPU index") {
    const SimVmsaPage page = serialize_sim_vmsa(VcpuLaunchState{}, 3);
    CHECK(std::memcmp(page.data(), "CW-SIM-VMSA-v2\0\0", 16) == 0);
    CHECK(page[0x10] == 2);
    CHECK(page[0x14] == 3);
}

TEST_CASE("the sim VMSA puts registers at their documented offsets") {
    VcpuLaunchState s;
    s.rip = 0x1000000;
    s.rsi = 0x7000;
    s.cr3 = 0x9000;
    s.cs = {0, 0xffffffff, 0x10, 0xa9b};
    const SimVmsaPage page = serialize_sim_vmsa(s, 0);
    CHECK(u64_at(page, 0xe8) == 0x1000000);
    CHECK(u64_at(page, 0x100) == 0x7000);
    CHECK(u64_at(page, 0xd0) == 0x9000);
    CHECK(page[0x30] == 0x10);                      // cs.selector
    CHECK(page[0x32] == 0x9b);                      // cs.attrib low byte
    CHECK(u64_at(page, 0x34) == 0xffffffffULL);     // cs.limit (and the base's low half, zero)
}

TEST_CASE("the sim VMSA is zero past its fields") {
    VcpuLaunchState s;
    s.rdx = UINT64_MAX;
    const SimVmsaPage page = serialize_sim_vmsa(s, 0);
    CHECK(u64_at(page, 0x108) == UINT64_MAX);
    for (size_t i = sizeof(SimVmsaWire); i < page.size(); ++i)
        REQUIRE(page[i] == 0);
}

TEST_CASE("an application processor starts at the reset vector") {
    const VcpuLaunchState s = reset_vcpu_state();
    CHECK(s.cs.selector == 0xf000);
    CHECK(s.cs.base + s.rip == 0xfffffff0);
    CHECK(s.cr0 == 0x60000010);
    CHECK(s.rflags == 0x2);
}
