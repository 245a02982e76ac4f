// Bytes waiting for a host socket that would not take them yet, in arrival order. Bounded
// by its owner (a connection's advertised buf_alloc); memory grows only while bytes wait
// and is released once they have all gone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cw::devices::virtio {

class ByteQueue {
public:
    // Kept across bursts to avoid reallocating for every packet of a steady stream.
    static constexpr size_t kKeptCapacity = 64 * 1024;

    [[nodiscard]] size_t size() const { return m_bytes.size() - m_head; }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] std::span<const uint8_t> front() const { return std::span(m_bytes).subspan(m_head); }

    void append(std::span<const uint8_t> data) {
        // Compact before growing, so the buffer never exceeds twice the bytes waiting.
        if (m_head > 0 && m_head >= m_bytes.size() / 2) {
            m_bytes.erase(m_bytes.begin(), m_bytes.begin() + static_cast<std::ptrdiff_t>(m_head));
            m_head = 0;
        }
        m_bytes.insert(m_bytes.end(), data.begin(), data.end());
    }
    void consume(size_t n) {
        m_head += n < size() ? n : size();
        if (m_head == m_bytes.size()) {
            m_bytes.clear();
            m_head = 0;
            if (m_bytes.capacity() > kKeptCapacity)
                std::vector<uint8_t>().swap(m_bytes);  // idle connections keep little memory
        }
    }

private:
    std::vector<uint8_t> m_bytes;
    size_t m_head = 0;
};

}  // namespace cw::devices::virtio
