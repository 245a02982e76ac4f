// Guest-physical addresses as their own type, so a host pointer, an offset and a GPA
// cannot be mixed up; arithmetic on them is checked for overflow.
#pragma once

#include <cstdint>
#include <optional>

namespace cw::vmm {

class GuestAddress {
public:
    constexpr GuestAddress() = default;
    constexpr explicit GuestAddress(uint64_t value) : m_value(value) {}

    [[nodiscard]] constexpr uint64_t value() const { return m_value; }
    // nullopt when the sum would wrap past 2^64.
    [[nodiscard]] constexpr std::optional<GuestAddress> checked_add(uint64_t offset) const {
        if (offset > UINT64_MAX - m_value)
            return std::nullopt;
        return GuestAddress(m_value + offset);
    }
    // Unchecked; for constants and for offsets already proven in range.
    [[nodiscard]] constexpr GuestAddress unchecked_add(uint64_t offset) const { return GuestAddress(m_value + offset); }

    // Spelled out rather than a defaulted <=>: clang 14 flags the rewritten `(a <=> b) < 0`
    // under -Wzero-as-null-pointer-constant.
    constexpr bool operator==(const GuestAddress& o) const { return m_value == o.m_value; }
    constexpr bool operator!=(const GuestAddress& o) const { return m_value != o.m_value; }
    constexpr bool operator<(const GuestAddress& o) const { return m_value < o.m_value; }
    constexpr bool operator<=(const GuestAddress& o) const { return m_value <= o.m_value; }
    constexpr bool operator>(const GuestAddress& o) const { return m_value > o.m_value; }
    constexpr bool operator>=(const GuestAddress& o) const { return m_value >= o.m_value; }

private:
    uint64_t m_value = 0;
};

}  // namespace cw::vmm
