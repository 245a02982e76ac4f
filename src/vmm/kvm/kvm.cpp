#include "vmm/kvm/kvm.h"

#include <fcntl.h>
#include "vmm/kvm/flex_buffer.h"
#include "vmm/kvm/kvm_uapi.h"
#include <sys/ioctl.h>

#include <string>

namespace cw::vmm {

namespace {
// Linux caps KVM_GET_SUPPORTED_CPUID at 256 entries in practice; ask for more headroom.
constexpr uint32_t kMaxCpuidEntries = 256;
}  // namespace

Result<Kvm> Kvm::open(const char* path) {
    UniqueFd fd(::open(path, O_RDWR | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys(std::string("open ") + path);
    int version = ::ioctl(fd.get(), KVM_GET_API_VERSION, 0);
    if (version < 0)
        return Error::sys("KVM_GET_API_VERSION");
    if (version != KVM_API_VERSION)
        return Error::msg("KVM_GET_API_VERSION: version " + std::to_string(version) + ", need " +
                          std::to_string(KVM_API_VERSION));
    return Kvm(std::move(fd));
}

Result<void> Kvm::require_extension(int capability, const char* name) const {
    int r = ::ioctl(m_fd.get(), KVM_CHECK_EXTENSION, capability);
    if (r < 0)
        return Error::sys(std::string("KVM_CHECK_EXTENSION ") + name);
    if (r == 0)
        return Error::msg(std::string("KVM lacks ") + name);
    return {};
}

Result<void> Kvm::require_vm_capabilities() const {
    CW_TRY(require_extension(KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"));
    CW_TRY(require_extension(KVM_CAP_PIT2, "KVM_CAP_PIT2"));
    CW_TRY(require_extension(KVM_CAP_IRQFD, "KVM_CAP_IRQFD"));
    CW_TRY(require_extension(KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"));
    CW_TRY(require_extension(KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"));
    CW_TRY(require_extension(KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"));
    CW_TRY(require_extension(KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"));
    return {};
}

Result<size_t> Kvm::vcpu_mmap_size() const {
    int r = ::ioctl(m_fd.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (r < 0)
        return Error::sys("KVM_GET_VCPU_MMAP_SIZE");
    return static_cast<size_t>(r);
}

Result<std::vector<x86::CpuidEntry>> Kvm::supported_cpuid() const {
    FlexBuffer<kvm_cpuid2, kvm_cpuid_entry2> cpuid(kMaxCpuidEntries);
    cpuid->nent = kMaxCpuidEntries;
    if (::ioctl(m_fd.get(), KVM_GET_SUPPORTED_CPUID, cpuid.get()) < 0)
        return Error::sys("KVM_GET_SUPPORTED_CPUID");
    std::vector<x86::CpuidEntry> entries;
    entries.reserve(cpuid->nent);
    for (uint32_t i = 0; i < cpuid->nent; ++i) {
        const auto& e = cpuid->entries[i];
        entries.push_back({e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx});
    }
    return entries;
}

Result<VmFd> Kvm::create_vm() const {
    int fd = ::ioctl(m_fd.get(), KVM_CREATE_VM, 0);
    if (fd < 0)
        return Error::sys("KVM_CREATE_VM");
    return VmFd(UniqueFd(fd));
}

}  // namespace cw::vmm
