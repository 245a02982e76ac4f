// The thin interface between the TDX launch logic and KVM: one method per TDX command the
// launch issues, taking the uAPI structure exactly as it goes to the kernel. TdxKvmIoctl
// (tdx_kvm_ioctl.h) issues the real ioctls; the unit tests use a recording fake. There is
// no TDX hardware on the development or test hosts, so this interface is where the launch
// path is tested: whatever crosses it is what KVM would be given.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "tee/tdx/tdx_cpuid_buffers.h"
#include "tee/tdx/tdx_uapi.h"

namespace cw::tee::tdx {

// The commands' names, as errors from the launch and from the ioctls say them.
inline constexpr const char* kCapabilities = "KVM_TDX_CAPABILITIES";
inline constexpr const char* kInitVm = "KVM_TDX_INIT_VM";
inline constexpr const char* kInitVcpu = "KVM_TDX_INIT_VCPU";
inline constexpr const char* kInitMemRegion = "KVM_TDX_INIT_MEM_REGION";
inline constexpr const char* kFinalizeVm = "KVM_TDX_FINALIZE_VM";

class TdxKvm {
public:
    virtual ~TdxKvm() = default;

    // --- on the TD's VM fd (KVM_MEMORY_ENCRYPT_OP) ---
    // KVM_TDX_CAPABILITIES: the attributes, XFAM and CPUID bits the host allows.
    [[nodiscard]] virtual Result<TdxCapabilities> capabilities() = 0;
    // KVM_TDX_INIT_VM with `init` and `cpuid` following it (an implementation sets
    // init.cpuid.nent from cpuid.size()).
    [[nodiscard]] virtual Result<void> init_vm(const uapi::KvmTdxInitVm& init,
                                               std::span<const uapi::KvmCpuidEntry2> cpuid) = 0;
    // KVM_TDX_FINALIZE_VM: TDH.MR.FINALIZE; MRTD is fixed from here on.
    [[nodiscard]] virtual Result<void> finalize_vm() = 0;

    // --- on a vCPU fd (KVM_MEMORY_ENCRYPT_OP) ---
    // KVM_TDX_INIT_VCPU of vCPU `vcpu` (its id, 0-based) with `rcx` as its initial RCX.
    [[nodiscard]] virtual Result<void> init_vcpu(uint32_t vcpu, uint64_t rcx) = 0;
    // KVM_TDX_INIT_MEM_REGION through vCPU `vcpu` (any initialized one) with cmd.flags =
    // `flags`. The whole range: an implementation repeats the command while KVM reports
    // partial progress, and fails if KVM stops without progress.
    [[nodiscard]] virtual Result<void> init_mem_region(uint32_t vcpu, const uapi::KvmTdxInitMemRegion& region,
                                                       uint32_t flags) = 0;

protected:
    TdxKvm() = default;
    TdxKvm(const TdxKvm&) = default;
    TdxKvm& operator=(const TdxKvm&) = default;
};

}  // namespace cw::tee::tdx
