#include "devices/virtio/queue/chain_io.h"

#include <algorithm>
#include <string>

namespace cw::devices::virtio {

ChainCursor::ChainCursor(std::span<const ChainSegment> segments) : m_segments(segments) {
    for (const auto& s : segments)
        m_total += s.len;
    m_remaining = m_total;
}

ChainCursor::Piece ChainCursor::peek(size_t max_len) const {
    if (m_index >= m_segments.size())
        return {vmm::GuestAddress(), 0};
    const ChainSegment& s = m_segments[m_index];
    // The chain proved [addr, addr + len) is inside guest memory, so addr + offset is too.
    return {s.addr.unchecked_add(m_offset), std::min<size_t>(max_len, s.len - m_offset)};
}

void ChainCursor::advance(size_t len) {
    while (len > 0 && m_index < m_segments.size()) {
        const size_t step = std::min<size_t>(len, m_segments[m_index].len - m_offset);
        m_offset += static_cast<uint32_t>(step);  // step <= segment length
        m_remaining -= step;
        len -= step;
        if (m_offset == m_segments[m_index].len) {
            ++m_index;
            m_offset = 0;
        }
    }
}

Result<void> ChainCursor::check_available(size_t len) const {
    if (len > m_remaining)
        return Error::msg("descriptor chain: " + std::to_string(len) + " bytes needed, " + std::to_string(m_remaining) +
                          " left");
    return {};
}

ChainReader::ChainReader(const vmm::GuestMemory& mem, const DescriptorChain& chain)
    : ChainCursor(chain.readable()), m_mem(mem) {}

Result<void> ChainReader::read(std::span<std::byte> out) {
    CW_TRY(check_available(out.size()));
    size_t done = 0;
    while (done < out.size()) {
        const Piece p = peek(out.size() - done);
        if (p.len == 0)  // unreachable after check_available; never spin
            return Error::msg("descriptor chain: cursor ran out of buffers");
        CW_TRY(m_mem.read(p.addr, out.subspan(done, p.len)));
        advance(p.len);
        done += p.len;
    }
    return {};
}

Result<void> ChainReader::skip(size_t len) {
    CW_TRY(check_available(len));
    advance(len);
    return {};
}

Result<std::span<const uint8_t>> ChainReader::next_slice(size_t max_len) {
    const Piece p = peek(max_len);
    if (p.len == 0)
        return std::span<const uint8_t>();
    auto s = CW_TRY(m_mem.slice(p.addr, p.len));
    advance(p.len);
    return std::span<const uint8_t>(s);
}

ChainWriter::ChainWriter(vmm::GuestMemory& mem, const DescriptorChain& chain)
    : ChainCursor(chain.writable()), m_mem(mem) {}

Result<void> ChainWriter::write(std::span<const std::byte> data) {
    CW_TRY(check_available(data.size()));
    size_t done = 0;
    while (done < data.size()) {
        const Piece p = peek(data.size() - done);
        if (p.len == 0)  // unreachable after check_available; never spin
            return Error::msg("descriptor chain: cursor ran out of buffers");
        CW_TRY(m_mem.write(p.addr, data.subspan(done, p.len)));
        advance(p.len);
        done += p.len;
    }
    return {};
}

Result<void> ChainWriter::skip(size_t len) {
    CW_TRY(check_available(len));
    advance(len);
    return {};
}

Result<std::span<uint8_t>> ChainWriter::next_slice(size_t max_len) {
    const Piece p = peek(max_len);
    if (p.len == 0)
        return std::span<uint8_t>();
    auto s = CW_TRY(m_mem.slice(p.addr, p.len));
    advance(p.len);
    return s;
}

}  // namespace cw::devices::virtio
