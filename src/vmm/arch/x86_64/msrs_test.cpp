#include "vmm/arch/x86_64/msrs.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace cw::vmm::x86;

namespace {

const MsrEntry* find(const std::vector<MsrEntry>& msrs, uint32_t index) {
    auto it = std::find_if(msrs.begin(), msrs.end(), [index](const MsrEntry& m) { return m.index == index; });
    return it == msrs.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("the SYSCALL and SYSENTER MSRs start at zero") {
    auto msrs = boot_msrs();
    for (uint32_t index : {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR,
                           MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_IA32_TSC}) {
        const auto* m = find(msrs, index);
        REQUIRE(m != nullptr);
        CHECK(m->value == 0);
    }
}

TEST_CASE("fast strings on, MTRRs enabled with write-back default") {
    auto msrs = boot_msrs();
    REQUIRE(find(msrs, 0x1a0) != nullptr);
    CHECK(find(msrs, 0x1a0)->value == 1);
    REQUIRE(find(msrs, 0x2ff) != nullptr);
    CHECK(find(msrs, 0x2ff)->value == 0x806);
}

TEST_CASE("each MSR appears once") {
    auto msrs = boot_msrs();
    std::set<uint32_t> seen;
    for (const auto& m : msrs)
        CHECK(seen.insert(m.index).second);
    CHECK(msrs.size() == 11);
}
