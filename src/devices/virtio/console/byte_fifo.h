// A bounded first-in first-out byte buffer: the console's output that the host fd has not
// accepted yet. The bound is what keeps a guest writing to a stalled reader from growing
// the VMM's memory; past it the device stops taking transmit chains (back-pressure).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cw::devices::virtio {

class ByteFifo {
public:
    explicit ByteFifo(size_t capacity) : m_capacity(capacity) {}

    [[nodiscard]] size_t size() const { return m_bytes.size() - m_head; }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] size_t free_space() const { return m_capacity - size(); }

    // Appends as much of `bytes` as fits; returns how much.
    size_t push(std::span<const uint8_t> bytes) {
        const size_t n = std::min(bytes.size(), free_space());
        if (m_head > 0 && m_head >= m_bytes.size() / 2) {
            // Compact lazily: at most one move of the live bytes per half buffer consumed.
            m_bytes.erase(m_bytes.begin(), m_bytes.begin() + static_cast<std::ptrdiff_t>(m_head));
            m_head = 0;
        }
        m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        return n;
    }
    // The oldest bytes, contiguous.
    [[nodiscard]] std::span<const uint8_t> front() const { return std::span(m_bytes).subspan(m_head); }
    // Drops the `n` oldest bytes (n <= size()).
    void pop(size_t n) {
        m_head += std::min(n, size());
        if (m_head == m_bytes.size())
            clear();
    }
    void clear() {
        m_bytes.clear();
        m_head = 0;
    }

private:
    const size_t m_capacity;
    std::vector<uint8_t> m_bytes;
    size_t m_head = 0;
};

}  // namespace cw::devices::virtio
