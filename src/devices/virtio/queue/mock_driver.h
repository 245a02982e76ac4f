// Test support (unit tests and fuzzers): the driver side of one split virtqueue, the way
// Linux's virtio_ring lays it out and uses it, writing into a GuestMemory. It lays out the
// rings, carves buffers out of a data area, adds chains (direct and indirect), and reads
// the used ring back. Raw helpers (write_desc, make_available, set_avail_idx, ...) build
// malformed rings for rejection tests.
//
// A misuse of the mock (a buffer that does not fit the data area, a ring outside memory)
// aborts: it is a bug in the test, not guest input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_ring.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio::test {

class MockDriver {
public:
    struct Buffer {
        vmm::GuestAddress addr;
        uint32_t len = 0;
        bool writable = false;
    };

    // A queue of `size` entries: descriptor table at `ring_base`, the available ring right
    // after it, the used ring after that (4-byte aligned), event fields included. Buffers
    // come from [data_base, data_base + data_size), which must not overlap the rings.
    MockDriver(vmm::GuestMemory& mem, vmm::GuestAddress ring_base, uint16_t size, vmm::GuestAddress data_base,
               uint64_t data_size);

    [[nodiscard]] uint16_t size() const { return m_size; }
    [[nodiscard]] vmm::GuestAddress desc_table() const { return m_desc; }
    [[nodiscard]] vmm::GuestAddress avail_ring() const { return m_avail; }
    [[nodiscard]] vmm::GuestAddress used_ring() const { return m_used; }
    // The transport registers for this queue, ready, with QueueNumMax `max_size`.
    [[nodiscard]] QueueConfig queue_config(uint16_t max_size) const;
    // Bytes the rings occupy from ring_base.
    [[nodiscard]] static uint64_t rings_size(uint16_t size);

    // A device-readable buffer holding `bytes`, or a zeroed device-writable one.
    Buffer readable(std::span<const uint8_t> bytes);
    Buffer readable(std::string_view text);
    Buffer writable(uint32_t len);
    [[nodiscard]] std::vector<uint8_t> contents(const Buffer& buffer) const;

    // Puts `buffers` in free descriptors chained by NEXT and makes the chain available;
    // returns its head. The indirect variant writes them into a table in the data area
    // and makes one INDIRECT descriptor available.
    uint16_t add_chain(std::span<const Buffer> buffers);
    uint16_t add_indirect_chain(std::span<const Buffer> buffers);

    // Raw ring access.
    void write_desc(uint16_t index, const VirtqDesc& desc);
    vmm::GuestAddress write_table(std::span<const VirtqDesc> table);  // in the data area
    void make_available(uint16_t head);                              // ring[idx] = head; idx++
    void set_avail_idx(uint16_t idx);
    [[nodiscard]] uint16_t avail_idx() const { return m_avail_idx; }
    void set_avail_flags(uint16_t flags);
    void set_used_event(uint16_t idx);
    [[nodiscard]] uint16_t avail_event() const;
    [[nodiscard]] uint16_t used_idx() const;

    // The next used element the device returned, as virtqueue_get_buf() sees it.
    std::optional<VirtqUsedElem> next_used();
    [[nodiscard]] uint16_t last_used() const { return m_last_used; }

private:
    vmm::GuestAddress alloc(uint64_t len, uint64_t align);
    uint16_t take_desc();
    template <class T>
    void put(vmm::GuestAddress addr, const T& value);
    template <class T>
    [[nodiscard]] T get(vmm::GuestAddress addr) const;

    vmm::GuestMemory& m_mem;
    uint16_t m_size;
    vmm::GuestAddress m_desc, m_avail, m_used;
    vmm::GuestAddress m_data;
    uint64_t m_data_size;
    uint64_t m_data_used = 0;
    uint16_t m_next_desc = 0;  // descriptors are handed out round-robin
    uint16_t m_avail_idx = 0;
    uint16_t m_last_used = 0;
};

}  // namespace cw::devices::virtio::test
