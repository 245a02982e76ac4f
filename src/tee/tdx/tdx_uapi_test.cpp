// tdx_uapi.h checks its own sizes, offsets and ioctl numbers with static_asserts; this file
// cross-checks what Debian's 6.1 <linux/kvm.h> does declare against our declarations, so
// the two sources of the same ABI cannot disagree unnoticed.
#include "tee/tdx/tdx_uapi.h"

#include <doctest/doctest.h>

#include "tee/tdx/tdx_attributes.h"
#include "vmm/kvm/kvm_uapi.h"

namespace uapi = cw::tee::tdx::uapi;

static_assert(uapi::kKvmCreateVcpu == KVM_CREATE_VCPU);
static_assert(uapi::kKvmMemoryEncryptOp == KVM_MEMORY_ENCRYPT_OP);
static_assert(sizeof(uapi::KvmCpuidEntry2) == sizeof(kvm_cpuid_entry2));
static_assert(offsetof(uapi::KvmCpuidEntry2, function) == offsetof(kvm_cpuid_entry2, function));
static_assert(offsetof(uapi::KvmCpuidEntry2, index) == offsetof(kvm_cpuid_entry2, index));
static_assert(offsetof(uapi::KvmCpuidEntry2, flags) == offsetof(kvm_cpuid_entry2, flags));
static_assert(offsetof(uapi::KvmCpuidEntry2, eax) == offsetof(kvm_cpuid_entry2, eax));
static_assert(offsetof(uapi::KvmCpuidEntry2, edx) == offsetof(kvm_cpuid_entry2, edx));
static_assert(offsetof(uapi::KvmCpuidEntry2, padding) == offsetof(kvm_cpuid_entry2, padding));
static_assert(sizeof(uapi::KvmCpuid2Header) == sizeof(kvm_cpuid2));
static_assert(offsetof(uapi::KvmCpuid2Header, padding) == offsetof(kvm_cpuid2, padding));
static_assert(uapi::kKvmCpuidFlagSignificantIndex == KVM_CPUID_FLAG_SIGNIFCANT_INDEX);

TEST_CASE("TDX uAPI numbers match the upstream kernel values") {
    // Values as the upstream headers define them (arch/x86/include/uapi/asm/kvm.h, 6.16).
    CHECK(uapi::kKvmX86TdxVm == 5);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::Capabilities) == 0);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::InitVm) == 1);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::InitVcpu) == 2);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::InitMemRegion) == 3);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::FinalizeVm) == 4);
    CHECK(static_cast<uint32_t>(uapi::TdxCmdId::GetCpuid) == 5);
    CHECK(uapi::kTdxMeasureMemoryRegion == 1);
    CHECK(uapi::kKvmMaxCpuidEntries == 256);
    CHECK(uapi::kKvmMemoryEncryptOp == 0xC008AEBA);
}

TEST_CASE("TD attribute bits are the TDX module's") {
    using namespace cw::tee::tdx;
    CHECK(kTdAttrDebug == 0x1);
    CHECK(kTdAttrSeptVeDisable == 0x10000000);
    CHECK(kTdAttrMigratable == 0x20000000);
    CHECK(kTdAttrPerfmon == 0x8000000000000000);
    CHECK(tdx_td_attributes() == kTdAttrSeptVeDisable);
}
