// A split virtqueue (VIRTIO 1.2, 2.7), device side.
//
// QueueConfig is the register state the transport collects (QueueNum, QueueDesc, ...).
// At DRIVER_OK the transport turns each ready config into a Queue with Queue::create,
// which validates it once: size a power of two in 1..max, rings aligned 16/2/4 and inside
// guest memory (the event fields too when VIRTIO_F_EVENT_IDX was negotiated). A Queue
// therefore only exists for a valid ring; the device owns it from activate() on.
//
// Error policy: the ring contents stay guest-controlled. pop() fails when the guest broke
// the ring (avail idx more than `size` ahead, a head index >= size, a malformed descriptor
// chain): the queue is then broken for good (every later pop() fails too, so no worker can
// spin on it) and the device reports it with VirtioInterrupt::signal_needs_reset(), which
// makes the transport set DEVICE_NEEDS_RESET. Malformed *requests* inside a valid chain
// (a short block header, say) are the device's business: complete them with an error
// status.
//
// Threading: a Queue is not synchronised; one thread (the device's worker) uses it.
// Memory ordering against the driver on other CPUs: the avail idx is read with acquire
// semantics before the ring entry; used elements are written before the used idx is
// published with release semantics; a full fence separates publishing the used idx (or
// avail_event) from reading the driver's suppression fields (2.7.7.2, 2.7.10).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "devices/virtio/queue/descriptor_chain.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

struct QueueConfig {
    uint16_t max_size = 0;  // the device's QueueNumMax
    uint16_t size = 0;      // QueueNum, as the driver wrote it (0 = invalid)
    bool ready = false;     // QueueReady
    vmm::GuestAddress desc_table;
    vmm::GuestAddress avail_ring;  // "driver area"
    vmm::GuestAddress used_ring;   // "device area"

    [[nodiscard]] Result<void> validate(const vmm::GuestMemory& mem, bool event_idx) const;
};

class Queue {
public:
    // Validates `config` against `mem` and the negotiated `features` (EVENT_IDX,
    // INDIRECT_DESC); the queue starts at avail/used index 0.
    [[nodiscard]] static Result<Queue> create(const QueueConfig& config, const vmm::GuestMemory& mem,
                                              uint64_t features);

    [[nodiscard]] uint16_t size() const { return m_size; }
    [[nodiscard]] bool event_idx() const { return m_event_idx; }
    [[nodiscard]] bool broken() const { return m_broken; }
    [[nodiscard]] uint16_t next_avail() const { return m_next_avail; }
    [[nodiscard]] uint16_t next_used() const { return m_next_used; }

    // The next available chain, validated; nullopt when the driver has made none available.
    // With EVENT_IDX, finding the ring empty writes avail_event = next avail index and
    // checks again, so the driver kicks for its next buffer: a worker that pops until
    // nullopt, then waits for a notification, never misses one.
    [[nodiscard]] Result<std::optional<DescriptorChain>> pop(vmm::GuestMemory& mem);

    // Returns chain `head` to the driver with `written_len` bytes written into it, and
    // publishes the new used idx. Fails only for head >= size (a device bug).
    [[nodiscard]] Result<void> add_used(vmm::GuestMemory& mem, uint16_t head, uint32_t written_len);

    // Whether the driver wants a used-buffer interrupt for the entries added since the last
    // call: with EVENT_IDX, when used_event lies in that range (2.7.10); otherwise unless
    // VIRTQ_AVAIL_F_NO_INTERRUPT is set. False when nothing was added since the last call.
    [[nodiscard]] bool needs_notification(vmm::GuestMemory& mem);

    // Writes avail_event (EVENT_IDX only; otherwise does nothing): the driver kicks when
    // its avail idx moves past `avail_idx`.
    [[nodiscard]] Result<void> set_avail_event(vmm::GuestMemory& mem, uint16_t avail_idx);

private:
    Queue() = default;
    Result<void> fail(std::string why);
    [[nodiscard]] vmm::GuestAddress avail_field(uint64_t offset) const { return m_avail.unchecked_add(offset); }
    [[nodiscard]] vmm::GuestAddress used_field(uint64_t offset) const { return m_used.unchecked_add(offset); }
    Result<std::optional<DescriptorChain>> pop_at(vmm::GuestMemory& mem, uint16_t avail_idx);

    DescriptorTableRef m_table;
    vmm::GuestAddress m_avail;
    vmm::GuestAddress m_used;
    uint16_t m_size = 0;
    bool m_event_idx = false;
    bool m_broken = false;
    std::string m_broken_reason;
    uint16_t m_next_avail = 0;
    uint16_t m_next_used = 0;
    uint16_t m_signalled_used = 0;  // next_used at the last needs_notification()
};

}  // namespace cw::devices::virtio
