// Where virtio-mmio device i lives (window kVirtioMmioBase + i * 4 KiB, IOAPIC pin
// kFirstVirtioIrq + i) and the `virtio_mmio.device=4K@BASE:IRQ` command-line entries that
// announce them. Pure, without KVM: the launch image (and so the measurement) needs the
// command line; VirtioMmioSlots attaches the devices at the same places.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "vmm/memory/guest_address.h"

namespace cw::vmm {

struct VirtioMmioSlot {
    GuestAddress base;
    uint32_t irq;
};

// IOAPIC pins 5..15 (the MP table describes the 16 ISA lines; 4 is the serial port).
inline constexpr size_t kMaxVirtioMmioDevices = 11;

// Where device `index` lives; an error past kMaxVirtioMmioDevices.
[[nodiscard]] Result<VirtioMmioSlot> virtio_mmio_slot(size_t index);
// The kernel command-line entries announcing `count` devices.
[[nodiscard]] std::string virtio_mmio_cmdline(size_t count);

}  // namespace cw::vmm
