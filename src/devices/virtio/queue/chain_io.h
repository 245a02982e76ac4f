// Cursors that move bytes between a validated DescriptorChain and the VMM, across
// descriptor boundaries, always through GuestMemory (no host pointer outlives a call).
//
// ChainReader walks the chain's device-readable buffers, ChainWriter its device-writable
// ones, each from the first byte on. An operation that needs more bytes than remain fails
// without consuming anything. Both keep a view of the chain: the chain must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "devices/virtio/queue/descriptor_chain.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

// Position in a list of segments; shared by the reader and the writer.
class ChainCursor {
public:
    [[nodiscard]] size_t remaining() const { return m_remaining; }
    // Bytes consumed so far (for a writer: the used ring's `len`).
    [[nodiscard]] size_t consumed() const { return m_total - m_remaining; }

protected:
    explicit ChainCursor(std::span<const ChainSegment> segments);
    // The next contiguous piece of at most `max_len` bytes (its length is 0 at the end).
    struct Piece {
        vmm::GuestAddress addr;
        size_t len;
    };
    [[nodiscard]] Piece peek(size_t max_len) const;
    void advance(size_t len);
    Result<void> check_available(size_t len) const;

private:
    std::span<const ChainSegment> m_segments;
    size_t m_index = 0;      // current segment
    uint32_t m_offset = 0;   // inside the current segment
    size_t m_total = 0;
    size_t m_remaining = 0;
};

class ChainReader : public ChainCursor {
public:
    ChainReader(const vmm::GuestMemory& mem, const DescriptorChain& chain);

    // Copies exactly out.size() bytes.
    [[nodiscard]] Result<void> read(std::span<std::byte> out);
    template <vmm::GuestPod T>
    [[nodiscard]] Result<T> read_obj() {
        T value;
        CW_TRY(read(std::as_writable_bytes(std::span(&value, 1))));
        return value;
    }
    [[nodiscard]] Result<void> skip(size_t len);
    // A view of the next contiguous guest bytes, at most `max_len` (empty at the end),
    // consumed; for handing guest buffers straight to a system call (pwritev). The guest
    // may change the bytes at any time: do not validate and then use them.
    [[nodiscard]] Result<std::span<const uint8_t>> next_slice(size_t max_len);

private:
    const vmm::GuestMemory& m_mem;
};

class ChainWriter : public ChainCursor {
public:
    ChainWriter(vmm::GuestMemory& mem, const DescriptorChain& chain);

    // Copies all of `data`.
    [[nodiscard]] Result<void> write(std::span<const std::byte> data);
    template <vmm::GuestPod T>
    [[nodiscard]] Result<void> write_obj(const T& value) {
        return write(std::as_bytes(std::span(&value, 1)));
    }
    // Leaves `len` bytes as they are (they still count as consumed).
    [[nodiscard]] Result<void> skip(size_t len);
    // A writable view of the next contiguous guest bytes, at most `max_len` (empty at the
    // end), consumed; for preadv straight into guest buffers.
    [[nodiscard]] Result<std::span<uint8_t>> next_slice(size_t max_len);

private:
    vmm::GuestMemory& m_mem;
};

}  // namespace cw::devices::virtio
