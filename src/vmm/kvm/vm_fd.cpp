#include "vmm/kvm/vm_fd.h"

#include "vmm/kvm/kvm_uapi.h"
#include <sys/ioctl.h>
#include <sys/mman.h>

namespace cw::vmm {

Result<void> VmFd::set_tss_address(GuestAddress addr) {
    if (::ioctl(m_fd.get(), KVM_SET_TSS_ADDR, addr.value()) < 0)
        return Error::sys("KVM_SET_TSS_ADDR");
    return {};
}

Result<void> VmFd::set_identity_map_address(GuestAddress addr) {
    uint64_t value = addr.value();
    if (::ioctl(m_fd.get(), KVM_SET_IDENTITY_MAP_ADDR, &value) < 0)
        return Error::sys("KVM_SET_IDENTITY_MAP_ADDR");
    return {};
}

Result<void> VmFd::create_irqchip() {
    if (::ioctl(m_fd.get(), KVM_CREATE_IRQCHIP, 0) < 0)
        return Error::sys("KVM_CREATE_IRQCHIP");
    return {};
}

Result<void> VmFd::create_pit2() {
    kvm_pit_config config{};
    // Without a speaker port the guest's PC speaker probing gets no dummy device.
    config.flags = KVM_PIT_SPEAKER_DUMMY;
    if (::ioctl(m_fd.get(), KVM_CREATE_PIT2, &config) < 0)
        return Error::sys("KVM_CREATE_PIT2");
    return {};
}

Result<void> VmFd::set_user_memory_region(uint32_t slot, GuestAddress gpa, uint64_t size, void* host) {
    kvm_userspace_memory_region region{};
    region.slot = slot;
    region.guest_phys_addr = gpa.value();
    region.memory_size = size;
    region.userspace_addr = reinterpret_cast<uint64_t>(host);
    if (::ioctl(m_fd.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return Error::sys("KVM_SET_USER_MEMORY_REGION");
    return {};
}

Result<void> VmFd::register_irqfd(int eventfd, uint32_t gsi) {
    kvm_irqfd irqfd{};
    irqfd.fd = static_cast<uint32_t>(eventfd);
    irqfd.gsi = gsi;
    if (::ioctl(m_fd.get(), KVM_IRQFD, &irqfd) < 0)
        return Error::sys("KVM_IRQFD");
    return {};
}

Result<void> VmFd::register_mmio_ioeventfd(int eventfd, GuestAddress addr, uint32_t len, uint64_t datamatch) {
    kvm_ioeventfd ioeventfd{};
    ioeventfd.datamatch = datamatch;
    ioeventfd.addr = addr.value();
    ioeventfd.len = len;
    ioeventfd.fd = eventfd;
    ioeventfd.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
    if (::ioctl(m_fd.get(), KVM_IOEVENTFD, &ioeventfd) < 0)
        return Error::sys("KVM_IOEVENTFD");
    return {};
}

Result<VcpuFd> VmFd::create_vcpu(uint32_t id, size_t mmap_size) {
    int fd = ::ioctl(m_fd.get(), KVM_CREATE_VCPU, id);
    if (fd < 0)
        return Error::sys("KVM_CREATE_VCPU");
    UniqueFd vcpu(fd);
    void* run = ::mmap(nullptr, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.get(), 0);
    if (run == MAP_FAILED)
        return Error::sys("mmap kvm_run");
    return VcpuFd(std::move(vcpu), static_cast<kvm_run*>(run), mmap_size);
}

}  // namespace cw::vmm
