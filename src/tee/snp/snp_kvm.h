// The thin interface between the SNP launch logic and KVM: one method per ioctl or SEV
// command the launch issues, taking the uAPI structure exactly as it goes to the kernel.
// SnpKvmIoctl (snp_kvm_ioctl.h) issues the real ioctls; the unit tests use a recording
// fake. There is no SNP hardware on the development or test hosts, so this interface is
// where the launch path is tested: whatever crosses it is what KVM would be given.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "tee/snp/snp_uapi.h"

namespace cw::tee::snp {

class SnpKvm {
public:
    virtual ~SnpKvm() = default;

    // --- host capabilities (on /dev/kvm and the SEV firmware device) ---
    // KVM_CHECK_EXTENSION(KVM_CAP_VM_TYPES): the mask of VM types KVM can create (bit n
    // for type n); 0 on kernels that do not know the capability.
    [[nodiscard]] virtual Result<uint64_t> supported_vm_types() = 0;
    // Whether the SEV firmware device (/dev/sev) exists; the launch commands need it.
    [[nodiscard]] virtual Result<void> require_sev_device() = 0;

    // --- the launch, on the SNP VM fd (KVM_MEMORY_ENCRYPT_OP) ---
    [[nodiscard]] virtual Result<void> sev_init2(const uapi::KvmSevInit& init) = 0;
    [[nodiscard]] virtual Result<void> snp_launch_start(const uapi::KvmSevSnpLaunchStart& start) = 0;
    // The whole range: an implementation repeats the command while KVM reports partial
    // progress, and fails if KVM stops without progress.
    [[nodiscard]] virtual Result<void> snp_launch_update(const uapi::KvmSevSnpLaunchUpdate& update) = 0;
    [[nodiscard]] virtual Result<void> snp_launch_finish(const uapi::KvmSevSnpLaunchFinish& finish) = 0;

protected:
    SnpKvm() = default;
    SnpKvm(const SnpKvm&) = default;
    SnpKvm& operator=(const SnpKvm&) = default;
};

}  // namespace cw::tee::snp
