#include "vmm/virtio_mmio_slots.h"

#include <cstdio>

#include "base/hex.h"
#include "devices/virtio/spec/virtio_mmio.h"
#include "vmm/arch/x86_64/layout.h"

namespace cw::vmm {

namespace dv = devices::virtio;

Result<VirtioMmioSlots::Slot> VirtioMmioSlots::slot(size_t index) {
    static_assert(x86::kVirtioMmioWindowSize == dv::kVirtioMmioWindowSize);
    return virtio_mmio_slot(index);
}

std::string VirtioMmioSlots::cmdline(size_t count) { return virtio_mmio_cmdline(count); }

Result<void> VirtioMmioSlots::attach(std::string name, std::shared_ptr<dv::VirtioDevice> device, VmFd& vm,
                                     GuestMemory& memory, Bus& mmio, uint64_t platform_features) {
    const Slot s = CW_TRY(slot(m_attached.size()).context(name));
    // Shared with the trigger: the transport (and the device's worker, through it) may
    // outlive this object during teardown; the eventfd must stay open as long as either.
    auto irq = std::make_shared<EventFd>(CW_TRY(EventFd::create().context(name + ": interrupt eventfd")));
    CW_TRY(vm.register_irqfd(irq->fd(), s.irq).context(name));
    auto events = std::make_shared<dv::QueueEvents>(
        CW_TRY(dv::QueueEvents::create(device->queue_max_sizes().size()).context(name)));
    const GuestAddress notify = s.base.unchecked_add(dv::VIRTIO_MMIO_QUEUE_NOTIFY);
    for (size_t q = 0; q < events->size(); ++q)
        CW_TRY(vm.register_mmio_ioeventfd((*events)[q].fd(), notify, 4, q)
                   .context(name + ": queue " + std::to_string(q) + " notification"));
    auto transport = CW_TRY(dv::MmioTransport::create(
                                device, memory, [irq] { irq->notify(); }, {}, platform_features,
                                std::move(events))
                                .context(name));
    CW_TRY(mmio.insert(transport, s.base.value(), x86::kVirtioMmioWindowSize).context(name));
    m_attached.push_back({std::move(name), std::move(transport), std::move(device)});
    return {};
}

}  // namespace cw::vmm
