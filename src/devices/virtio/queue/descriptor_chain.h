// A descriptor chain the guest made available, copied out of guest memory and validated
// once (VIRTIO 1.2, 2.7.5 and 2.7.5.3). Holding a DescriptorChain proves:
//   - every descriptor was read exactly once (later guest writes to the table change nothing);
//   - the walk was bounded: at most `queue size` descriptors in the direct chain and at most
//     `queue size` buffers in total, indirect entries included, so a loop via `next` fails;
//   - every `next` index was inside its table (the ring, or the indirect table);
//   - indirect tables only with VIRTIO_F_INDIRECT_DESC, never nested, never combined with
//     NEXT (2.7.5.3.1), with a length that is a non-zero multiple of 16 and at most
//     `queue size` entries, lying inside guest memory;
//   - every buffer lies inside one guest memory region (no wrap past 2^64);
//   - all device-readable buffers come before all device-writable ones (2.7.4.2);
//   - the total length fits the used ring's 32-bit `len` (<= UINT32_MAX).
// Zero-length buffers carry no bytes: they are accepted (and count toward the bound) but
// are left out of segments(), and their address is not checked.
//
// The chain holds guest-physical addresses only, never host pointers: devices move bytes
// with ChainReader / ChainWriter (chain_io.h), which go through GuestMemory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

// One buffer of a chain.
struct ChainSegment {
    vmm::GuestAddress addr;
    uint32_t len = 0;  // > 0
    bool writable = false;
};

// Where a queue's descriptor table is and what a walk may accept.
struct DescriptorTableRef {
    vmm::GuestAddress addr;         // validated: 16 * queue_size bytes inside guest memory
    uint16_t queue_size = 0;        // 1..32768, a power of two
    bool indirect_allowed = false;  // VIRTIO_F_INDIRECT_DESC was negotiated
};

class DescriptorChain {
public:
    // Walks the chain starting at descriptor `head`. An error names the offending
    // descriptor; the caller treats it as a broken queue (queue.h).
    [[nodiscard]] static Result<DescriptorChain> walk(const vmm::GuestMemory& mem, const DescriptorTableRef& table,
                                                      uint16_t head);

    // The index the device returns in the used ring.
    [[nodiscard]] uint16_t head_index() const { return m_head; }
    // All non-empty buffers in chain order: readable ones, then writable ones.
    [[nodiscard]] std::span<const ChainSegment> segments() const { return m_segments; }
    [[nodiscard]] std::span<const ChainSegment> readable() const {
        return std::span(m_segments).first(m_first_writable);
    }
    [[nodiscard]] std::span<const ChainSegment> writable() const {
        return std::span(m_segments).subspan(m_first_writable);
    }
    [[nodiscard]] uint32_t readable_len() const { return m_readable_len; }
    [[nodiscard]] uint32_t writable_len() const { return m_writable_len; }

private:
    class Builder;
    DescriptorChain() = default;

    std::vector<ChainSegment> m_segments;
    size_t m_first_writable = 0;
    uint16_t m_head = 0;
    uint32_t m_readable_len = 0;
    uint32_t m_writable_len = 0;
};

}  // namespace cw::devices::virtio
