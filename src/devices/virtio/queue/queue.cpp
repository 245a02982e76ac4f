#include "devices/virtio/queue/queue.h"

#include <atomic>
#include <cstdio>
#include <utility>

#include "devices/virtio/queue/ring_index.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_ring.h"
#include "base/hex.h"

namespace cw::devices::virtio {

namespace {


Result<void> check_ring(const vmm::GuestMemory& mem, const char* name, vmm::GuestAddress addr, uint64_t align,
                        uint64_t len) {
    if (addr.value() % align != 0)
        return Error::msg(std::string(name) + " at " + hex(addr.value()) + " is not " + std::to_string(align) +
                          "-byte aligned");
    if (!mem.contains(addr, len))
        return Error::msg(std::string(name) + " " + hex(addr.value()) + "+" + hex(len) + " is outside guest memory");
    return {};
}

}  // namespace

Result<void> QueueConfig::validate(const vmm::GuestMemory& mem, bool event_idx) const {
    if (!ready)
        return Error::msg("virtqueue: not ready");
    if (size == 0 || (size & (size - 1)) != 0 || size > max_size || size > kMaxQueueSize)
        return Error::msg("virtqueue: size " + std::to_string(size) + " is not a power of two in 1.." +
                          std::to_string(max_size));
    CW_TRY(check_ring(mem, "virtqueue: descriptor table", desc_table, kDescTableAlign, desc_table_size(size)));
    CW_TRY(check_ring(mem, "virtqueue: available ring", avail_ring, kAvailRingAlign, avail_ring_size(size, event_idx)));
    CW_TRY(check_ring(mem, "virtqueue: used ring", used_ring, kUsedRingAlign, used_ring_size(size, event_idx)));
    return {};
}

Result<Queue> Queue::create(const QueueConfig& config, const vmm::GuestMemory& mem, uint64_t features) {
    const bool event_idx = (features & feature_bit(VIRTIO_F_EVENT_IDX)) != 0;
    CW_TRY(config.validate(mem, event_idx));
    Queue q;
    q.m_table = {config.desc_table, config.size, (features & feature_bit(VIRTIO_F_INDIRECT_DESC)) != 0};
    q.m_avail = config.avail_ring;
    q.m_used = config.used_ring;
    q.m_size = config.size;
    q.m_event_idx = event_idx;
    return q;
}

Result<void> Queue::fail(std::string why) {
    m_broken = true;
    m_broken_reason = "virtqueue: " + std::move(why);
    return Error::msg(m_broken_reason);
}

Result<std::optional<DescriptorChain>> Queue::pop(vmm::GuestMemory& mem) {
    if (m_broken)
        return Error::msg(m_broken_reason + " (queue broken: reset needed)");
    uint16_t avail_idx = CW_TRY(load_ring_index(mem, avail_field(kAvailIdxOffset)));
    if (avail_idx == m_next_avail) {
        if (!m_event_idx)
            return std::optional<DescriptorChain>();
        // Ask for a kick at the next buffer, then look again: the driver may have added one
        // before it could see avail_event (2.7.10).
        CW_TRY(set_avail_event(mem, m_next_avail));
        std::atomic_thread_fence(std::memory_order_seq_cst);
        avail_idx = CW_TRY(load_ring_index(mem, avail_field(kAvailIdxOffset)));
        if (avail_idx == m_next_avail)
            return std::optional<DescriptorChain>();
    }
    return pop_at(mem, avail_idx);
}

Result<std::optional<DescriptorChain>> Queue::pop_at(vmm::GuestMemory& mem, uint16_t avail_idx) {
    const auto pending = static_cast<uint16_t>(avail_idx - m_next_avail);
    if (pending > m_size) {
        CW_TRY(fail("avail idx " + std::to_string(avail_idx) + " is " + std::to_string(pending) + " entries ahead of " +
                    std::to_string(m_next_avail) + " in a queue of " + std::to_string(m_size)));
    }
    const uint64_t slot = m_next_avail & (m_size - 1U);
    const auto head = CW_TRY(mem.read_obj<uint16_t>(avail_field(kAvailRingOffset + kAvailElemSize * slot)));
    if (head >= m_size)
        CW_TRY(fail("available ring entry " + std::to_string(slot) + ": head " + std::to_string(head) +
                    " is outside the queue of " + std::to_string(m_size)));
    ++m_next_avail;
    auto chain = DescriptorChain::walk(mem, m_table, head);
    if (!chain.ok())
        CW_TRY(fail(chain.error().message()));
    return std::optional<DescriptorChain>(std::move(chain).value());
}

Result<void> Queue::add_used(vmm::GuestMemory& mem, uint16_t head, uint32_t written_len) {
    if (head >= m_size)
        return Error::msg("virtqueue: add_used of head " + std::to_string(head) + " in a queue of " +
                          std::to_string(m_size));
    const uint64_t slot = m_next_used & (m_size - 1U);
    CW_TRY(mem.write_obj(used_field(kUsedRingOffset + sizeof(VirtqUsedElem) * slot), VirtqUsedElem{head, written_len}));
    ++m_next_used;
    // Release: the element is visible before the index that publishes it.
    return store_ring_index(mem, used_field(kUsedIdxOffset), m_next_used);
}

bool Queue::needs_notification(vmm::GuestMemory& mem) {
    // The used idx store must be visible before we read the driver's suppression field,
    // or an interrupt the driver asked for could be missed (2.7.7.2).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const uint16_t old_used = std::exchange(m_signalled_used, m_next_used);
    if (old_used == m_next_used)
        return false;
    if (m_event_idx) {
        auto used_event = mem.read_obj<uint16_t>(avail_field(used_event_offset(m_size)));
        return !used_event.ok() || vring_need_event(used_event.value(), m_next_used, old_used);
    }
    auto flags = mem.read_obj<uint16_t>(avail_field(kAvailFlagsOffset));
    return !flags.ok() || (flags.value() & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
}

Result<void> Queue::set_avail_event(vmm::GuestMemory& mem, uint16_t avail_idx) {
    if (!m_event_idx)
        return {};
    return mem.write_obj(used_field(avail_event_offset(m_size)), avail_idx);
}

}  // namespace cw::devices::virtio
