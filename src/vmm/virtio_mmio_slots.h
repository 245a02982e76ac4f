// Places virtio devices in the MMIO hole and wires them to KVM. Device i gets the 4 KiB
// window at kVirtioMmioBase + i * 4 KiB and IOAPIC pin kFirstVirtioIrq + i; the guest
// kernel finds each through a `virtio_mmio.device=4K@BASE:IRQ` command-line entry (no
// ACPI, no device tree). Per device: an irqfd on its pin (edge: the driver reads and
// acknowledges InterruptStatus on every interrupt, as with Firecracker), and one
// ioeventfd per queue on QueueNotify with the queue index as datamatch, so a kick wakes the
// device's worker inside the kernel without an exit to the VMM.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/event_fd.h"
#include "base/result.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/virtio_device.h"
#include "vmm/bus/bus.h"
#include "vmm/kvm/vm_fd.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/virtio_mmio_cmdline.h"

namespace cw::vmm {

class VirtioMmioSlots {
public:
    using Slot = VirtioMmioSlot;
    static constexpr size_t kMaxDevices = kMaxVirtioMmioDevices;

    // Where device `index` lives; an error past kMaxDevices.
    [[nodiscard]] static Result<Slot> slot(size_t index);
    // The kernel command-line entries announcing `count` devices.
    [[nodiscard]] static std::string cmdline(size_t count);

    // Puts `device` into the next slot: transport on the MMIO bus, irqfd, ioeventfds.
    // `name` prefixes errors.
    [[nodiscard]] Result<void> attach(std::string name, std::shared_ptr<devices::virtio::VirtioDevice> device,
                                      VmFd& vm, GuestMemory& memory, Bus& mmio, uint64_t platform_features = 0);
    [[nodiscard]] size_t size() const { return m_attached.size(); }
    // After the vCPUs stopped for good: each device writes out what it holds for the host
    // (VirtioDevice::drain_at_exit), each waiting at most `limit`.
    void drain_at_exit(std::chrono::milliseconds limit) const {
        for (const auto& a : m_attached)
            a.device->drain_at_exit(limit);
    }

private:
    struct Attached {
        std::string name;
        std::shared_ptr<devices::virtio::MmioTransport> transport;
        std::shared_ptr<devices::virtio::VirtioDevice> device;
    };
    std::vector<Attached> m_attached;
};

}  // namespace cw::vmm
