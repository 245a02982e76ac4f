#include "devices/virtio/queue/descriptor_chain.h"

#include <cstdio>
#include <string>

#include "devices/virtio/spec/virtio_ring.h"
#include "base/hex.h"

namespace cw::devices::virtio {

namespace {


// "descriptor 3" or "indirect descriptor 3": which entry an error is about.
std::string where(bool indirect, uint32_t index) {
    return std::string(indirect ? "indirect descriptor " : "descriptor ") + std::to_string(index);
}

// Copies descriptor `index` of a table out of guest memory (the one read of it).
Result<VirtqDesc> read_desc(const vmm::GuestMemory& mem, vmm::GuestAddress table, uint32_t index) {
    // Callers keep index < entries and the table inside memory, so this cannot wrap.
    return mem.read_obj<VirtqDesc>(table.unchecked_add(uint64_t{index} * sizeof(VirtqDesc)));
}

}  // namespace

// Accumulates the buffers of one walk and enforces the per-buffer rules.
class DescriptorChain::Builder {
public:
    Builder(const vmm::GuestMemory& mem, uint16_t head, uint32_t max_buffers) : m_mem(mem), m_max_buffers(max_buffers) {
        m_chain.m_head = head;
    }

    Result<void> add(const VirtqDesc& d, bool indirect, uint32_t index) {
        const bool writable = (d.flags & VIRTQ_DESC_F_WRITE) != 0;
        if (++m_buffers > m_max_buffers)
            return Error::msg(where(indirect, index) + ": chain has more than " + std::to_string(m_max_buffers) +
                              " buffers (a loop?)");
        if (!writable && m_seen_writable)
            return Error::msg(where(indirect, index) + ": device-readable buffer after a device-writable one");
        m_total += d.len;
        if (m_total > UINT32_MAX)
            return Error::msg(where(indirect, index) + ": chain length exceeds 4 GiB");
        m_seen_writable = m_seen_writable || writable;
        if (d.len == 0)
            return {};
        if (!m_mem.contains(vmm::GuestAddress(d.addr), d.len))
            return Error::msg(where(indirect, index) + ": buffer " + hex(d.addr) + "+" + hex(d.len) +
                              " is outside guest memory");
        m_chain.m_segments.push_back({vmm::GuestAddress(d.addr), d.len, writable});
        (writable ? m_chain.m_writable_len : m_chain.m_readable_len) += d.len;
        if (!writable)
            m_chain.m_first_writable = m_chain.m_segments.size();
        return {};
    }

    DescriptorChain finish() && { return std::move(m_chain); }

private:
    const vmm::GuestMemory& m_mem;
    const uint32_t m_max_buffers;
    DescriptorChain m_chain;
    uint32_t m_buffers = 0;
    uint64_t m_total = 0;
    bool m_seen_writable = false;
};

namespace {

// Walks an indirect table (2.7.5.3): entries chained by `next` from entry 0.
template <class Builder>
Result<void> walk_indirect(const vmm::GuestMemory& mem, const VirtqDesc& ind, uint32_t index, uint16_t queue_size,
                           Builder& builder) {
    if (ind.flags & VIRTQ_DESC_F_NEXT)
        return Error::msg(where(false, index) + ": INDIRECT combined with NEXT");
    if (ind.len == 0 || ind.len % sizeof(VirtqDesc) != 0)
        return Error::msg(where(false, index) + ": indirect table length " + std::to_string(ind.len) +
                          " is not a non-zero multiple of 16");
    const uint32_t entries = ind.len / static_cast<uint32_t>(sizeof(VirtqDesc));
    if (entries > queue_size)
        return Error::msg(where(false, index) + ": indirect table of " + std::to_string(entries) +
                          " entries is longer than the queue (" + std::to_string(queue_size) + ")");
    const vmm::GuestAddress table(ind.addr);
    if (!mem.contains(table, ind.len))
        return Error::msg(where(false, index) + ": indirect table " + hex(ind.addr) + "+" + hex(ind.len) +
                          " is outside guest memory");
    uint32_t i = 0;
    for (uint32_t visited = 0;; ++visited) {
        if (visited == entries)
            return Error::msg(where(true, i) + ": indirect chain loops");
        const VirtqDesc d = CW_TRY(read_desc(mem, table, i));
        if (d.flags & VIRTQ_DESC_F_INDIRECT)
            return Error::msg(where(true, i) + ": nested indirect table");
        CW_TRY(builder.add(d, true, i));
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return {};
        if (d.next >= entries)
            return Error::msg(where(true, i) + ": next index " + std::to_string(d.next) + " is outside the table of " +
                              std::to_string(entries));
        i = d.next;
    }
}

}  // namespace

Result<DescriptorChain> DescriptorChain::walk(const vmm::GuestMemory& mem, const DescriptorTableRef& table,
                                              uint16_t head) {
    const uint32_t size = table.queue_size;
    if (head >= size)
        return Error::msg("head index " + std::to_string(head) + " is outside the queue of " + std::to_string(size));
    Builder builder(mem, head, size);
    uint32_t i = head;
    for (uint32_t visited = 0;; ++visited) {
        if (visited == size)
            return Error::msg("chain from head " + std::to_string(head) + " is longer than the queue (a loop?)");
        const VirtqDesc d = CW_TRY(read_desc(mem, table.addr, i));
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (!table.indirect_allowed)
                return Error::msg(where(false, i) + ": INDIRECT without VIRTIO_F_INDIRECT_DESC");
            // The WRITE flag of the descriptor pointing at the table is ignored (2.7.5.3.2),
            // and nothing may follow it.
            CW_TRY(walk_indirect(mem, d, i, table.queue_size, builder));
            break;
        }
        CW_TRY(builder.add(d, false, i));
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d.next >= size)
            return Error::msg(where(false, i) + ": next index " + std::to_string(d.next) + " is outside the queue of " +
                              std::to_string(size));
        i = d.next;
    }
    return std::move(builder).finish();
}

}  // namespace cw::devices::virtio
