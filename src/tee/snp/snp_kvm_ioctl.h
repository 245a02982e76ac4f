// SnpKvm over the real ioctls: KVM_CHECK_EXTENSION on /dev/kvm, KVM_CREATE_VM with the SNP
// VM type, and KVM_MEMORY_ENCRYPT_OP on that VM fd with /dev/sev as the firmware fd.
// Untested against hardware (no SNP host is available); the capability queries run on
// every host, and the launch commands are exercised only through the SnpKvm fake.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "tee/snp/snp_kvm.h"

namespace cw::tee::snp {

class SnpKvmIoctl final : public SnpKvm {
public:
    // Opens nothing yet: the capability queries open what they need and report a missing
    // device as their error, so a host without KVM gets the same one-line answer.
    explicit SnpKvmIoctl(std::string kvm_path = "/dev/kvm", std::string sev_path = "/dev/sev")
        : m_kvm_path(std::move(kvm_path)), m_sev_path(std::move(sev_path)) {}

    // KVM_CREATE_VM(KVM_X86_SNP_VM) and opens the SEV device: the launch commands need both.
    [[nodiscard]] Result<void> create_vm();
    [[nodiscard]] int vm_fd() const { return m_vm.get(); }

    Result<uint64_t> supported_vm_types() override;
    Result<void> require_sev_device() override;
    Result<void> sev_init2(const uapi::KvmSevInit& init) override;
    Result<void> snp_launch_start(const uapi::KvmSevSnpLaunchStart& start) override;
    Result<void> snp_launch_update(const uapi::KvmSevSnpLaunchUpdate& update) override;
    Result<void> snp_launch_finish(const uapi::KvmSevSnpLaunchFinish& finish) override;

private:
    Result<void> open_kvm();
    // KVM_MEMORY_ENCRYPT_OP(id, data): the error names the command and the firmware status.
    Result<void> encrypt_op(uapi::SevCmdId id, const char* name, void* data);

    std::string m_kvm_path;
    std::string m_sev_path;
    UniqueFd m_kvm;
    UniqueFd m_vm;
    UniqueFd m_sev;
};

}  // namespace cw::tee::snp
