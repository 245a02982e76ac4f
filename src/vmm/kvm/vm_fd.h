// A VM file descriptor: memory slots, the in-kernel interrupt controllers, irqfds, vCPUs.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "base/unique_fd.h"
#include "vmm/kvm/vcpu_fd.h"
#include "vmm/memory/guest_address.h"

namespace cw::vmm {

class VmFd {
public:
    explicit VmFd(UniqueFd fd) : m_fd(std::move(fd)) {}

    [[nodiscard]] Result<void> set_tss_address(GuestAddress addr);
    [[nodiscard]] Result<void> set_identity_map_address(GuestAddress addr);
    [[nodiscard]] Result<void> create_irqchip();
    [[nodiscard]] Result<void> create_pit2();
    [[nodiscard]] Result<void> set_user_memory_region(uint32_t slot, GuestAddress gpa, uint64_t size, void* host);
    // Writing to `eventfd` raises the interrupt line `gsi` (edge).
    [[nodiscard]] Result<void> register_irqfd(int eventfd, uint32_t gsi);
    // A guest write of `len` bytes equal to `datamatch` at MMIO address `addr` notifies
    // `eventfd` inside KVM, without an exit to the VMM (virtio QueueNotify).
    [[nodiscard]] Result<void> register_mmio_ioeventfd(int eventfd, GuestAddress addr, uint32_t len,
                                                       uint64_t datamatch);
    [[nodiscard]] Result<VcpuFd> create_vcpu(uint32_t id, size_t mmap_size);

private:
    UniqueFd m_fd;
};

}  // namespace cw::vmm
