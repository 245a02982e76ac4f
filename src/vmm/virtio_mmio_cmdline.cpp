#include "vmm/virtio_mmio_cmdline.h"

#include "base/hex.h"
#include "vmm/arch/x86_64/layout.h"

namespace cw::vmm {

Result<VirtioMmioSlot> virtio_mmio_slot(size_t index) {
    if (index >= kMaxVirtioMmioDevices)
        return Error::msg("too many virtio devices: at most " + std::to_string(kMaxVirtioMmioDevices));
    static_assert(x86::kFirstVirtioIrq + kMaxVirtioMmioDevices == 16, "IOAPIC pins beyond the MP table's ISA lines");
    return VirtioMmioSlot{x86::kVirtioMmioBase.unchecked_add(index * x86::kVirtioMmioWindowSize),
                          x86::kFirstVirtioIrq + static_cast<uint32_t>(index)};
}

std::string virtio_mmio_cmdline(size_t count) {
    std::string out;
    for (size_t i = 0; i < count && i < kMaxVirtioMmioDevices; ++i) {
        const VirtioMmioSlot s = virtio_mmio_slot(i).value();
        if (!out.empty())
            out += ' ';
        out += "virtio_mmio.device=4K@" + hex(s.base.value()) + ":" + std::to_string(s.irq);
    }
    return out;
}

}  // namespace cw::vmm
