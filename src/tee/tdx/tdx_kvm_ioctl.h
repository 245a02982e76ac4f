// TdxKvm over the real ioctls: KVM_CREATE_VM with the TDX VM type, KVM_CREATE_VCPU, and
// KVM_MEMORY_ENCRYPT_OP with a struct kvm_tdx_cmd on the VM fd (CAPABILITIES, INIT_VM,
// FINALIZE_VM) or on a vCPU fd (INIT_VCPU, INIT_MEM_REGION).
//
// Never run: there is no TDX host here, and cwrun does not drive a TD yet (no guest_memfd
// memory set-up, no KVM_SET_CPUID2 of the vCPUs, no boot stub). It exists so the launch
// sequence has its real counterpart to compile against; the sequence itself is tested
// through the TdxKvm fake.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "tee/tdx/tdx_kvm.h"

namespace cw::tee::tdx {

class TdxKvmIoctl final : public TdxKvm {
public:
    explicit TdxKvmIoctl(std::string kvm_path = "/dev/kvm") : m_kvm_path(std::move(kvm_path)) {}

    // KVM_CREATE_VM(KVM_X86_TDX_VM).
    [[nodiscard]] Result<void> create_vm();
    // KVM_CREATE_VCPU(id): after init_vm() (KVM_TDX_INIT_VM must precede every vCPU) and
    // before init_vcpu(id). Ids are dense from 0, in order.
    [[nodiscard]] Result<void> create_vcpu(uint32_t id);
    [[nodiscard]] int vm_fd() const { return m_vm.get(); }

    Result<TdxCapabilities> capabilities() override;
    Result<void> init_vm(const uapi::KvmTdxInitVm& init, std::span<const uapi::KvmCpuidEntry2> cpuid) override;
    Result<void> finalize_vm() override;
    Result<void> init_vcpu(uint32_t vcpu, uint64_t rcx) override;
    Result<void> init_mem_region(uint32_t vcpu, const uapi::KvmTdxInitMemRegion& region, uint32_t flags) override;

private:
    Result<void> open_kvm();
    Result<int> vcpu_fd(const char* name, uint32_t vcpu) const;
    // KVM_MEMORY_ENCRYPT_OP(cmd) on `fd`: the error names the command and the TDX module's
    // status (hw_error), and keeps the errno.
    static Result<void> tdx_op(int fd, const char* name, uapi::KvmTdxCmd& cmd);

    std::string m_kvm_path;
    UniqueFd m_kvm;
    UniqueFd m_vm;
    std::vector<UniqueFd> m_vcpus;  // index = vCPU id
};

}  // namespace cw::tee::tdx
