#include "tee/snp/snp_kvm_ioctl.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <string>
#include <utility>

namespace cw::tee::snp {

Result<void> SnpKvmIoctl::open_kvm() {
    if (m_kvm.valid())
        return {};
    m_kvm.reset(::open(m_kvm_path.c_str(), O_RDWR | O_CLOEXEC));
    if (!m_kvm.valid())
        return Error::sys("open " + m_kvm_path);
    return {};
}

Result<uint64_t> SnpKvmIoctl::supported_vm_types() {
    CW_TRY(open_kvm());
    int r = ::ioctl(m_kvm.get(), uapi::kKvmCheckExtension, uapi::kKvmCapVmTypes);
    if (r < 0)
        return Error::sys("KVM_CHECK_EXTENSION KVM_CAP_VM_TYPES");
    return static_cast<uint64_t>(r);
}

Result<void> SnpKvmIoctl::require_sev_device() {
    struct stat st {};
    if (::stat(m_sev_path.c_str(), &st) != 0)
        return Error::sys(m_sev_path);
    if (!S_ISCHR(st.st_mode))
        return Error::msg(m_sev_path + " is not a character device");
    return {};
}

Result<void> SnpKvmIoctl::create_vm() {
    CW_TRY(open_kvm());
    if (m_vm.valid())
        return Error::msg("KVM_CREATE_VM(KVM_X86_SNP_VM): this SnpKvmIoctl already has a VM");
    UniqueFd vm(::ioctl(m_kvm.get(), uapi::kKvmCreateVm, uapi::kKvmX86SnpVm));
    if (!vm.valid())
        return Error::sys("KVM_CREATE_VM(KVM_X86_SNP_VM)");
    UniqueFd sev(::open(m_sev_path.c_str(), O_RDWR | O_CLOEXEC));
    if (!sev.valid())
        return Error::sys("open " + m_sev_path);
    m_vm = std::move(vm);
    m_sev = std::move(sev);
    return {};
}

Result<void> SnpKvmIoctl::encrypt_op(uapi::SevCmdId id, const char* name, void* data) {
    if (!m_vm.valid() || !m_sev.valid())
        return Error::msg(std::string(name) + ": no SNP VM (create_vm first)");
    uapi::KvmSevCmd cmd{};
    cmd.id = static_cast<uint32_t>(id);
    cmd.data = std::bit_cast<uintptr_t>(data);
    cmd.sev_fd = static_cast<uint32_t>(m_sev.get());
    if (::ioctl(m_vm.get(), uapi::kKvmMemoryEncryptOp, &cmd) < 0) {
        int err = errno;
        return Error::sys(std::string(name) + " (firmware status " + std::to_string(cmd.error) + ")", err);
    }
    return {};
}

Result<void> SnpKvmIoctl::sev_init2(const uapi::KvmSevInit& init) {
    uapi::KvmSevInit copy = init;
    return encrypt_op(uapi::SevCmdId::Init2, "KVM_SEV_INIT2", &copy);
}

Result<void> SnpKvmIoctl::snp_launch_start(const uapi::KvmSevSnpLaunchStart& start) {
    uapi::KvmSevSnpLaunchStart copy = start;
    return encrypt_op(uapi::SevCmdId::SnpLaunchStart, "KVM_SEV_SNP_LAUNCH_START", &copy);
}

Result<void> SnpKvmIoctl::snp_launch_update(const uapi::KvmSevSnpLaunchUpdate& update) {
    // KVM may process part of the range and advance gfn_start/uaddr/len past it; repeat
    // until nothing is left, and stop if a call makes no progress.
    uapi::KvmSevSnpLaunchUpdate remaining = update;
    while (remaining.len != 0) {
        const uint64_t before = remaining.len;
        CW_TRY(encrypt_op(uapi::SevCmdId::SnpLaunchUpdate, "KVM_SEV_SNP_LAUNCH_UPDATE", &remaining));
        if (remaining.len >= before)
            return Error::msg("KVM_SEV_SNP_LAUNCH_UPDATE: no progress with " + std::to_string(remaining.len) +
                              " bytes left");
    }
    return {};
}

Result<void> SnpKvmIoctl::snp_launch_finish(const uapi::KvmSevSnpLaunchFinish& finish) {
    uapi::KvmSevSnpLaunchFinish copy = finish;
    return encrypt_op(uapi::SevCmdId::SnpLaunchFinish, "KVM_SEV_SNP_LAUNCH_FINISH", &copy);
}

}  // namespace cw::tee::snp
