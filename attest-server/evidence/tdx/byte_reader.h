// A forward-only cursor over untrusted bytes: every read names the field it wanted, and a
// read that does not fit fails instead of touching memory past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.h"

namespace cw::attest::tdx {

class ByteReader {
public:
    // `base` is where `bytes` starts in the enclosing buffer: errors report absolute offsets.
    explicit ByteReader(std::span<const uint8_t> bytes, size_t base = 0) : m_bytes(bytes), m_base(base) {}

    [[nodiscard]] size_t offset() const { return m_pos; }  // relative to `bytes`
    [[nodiscard]] size_t remaining() const { return m_bytes.size() - m_pos; }

    // The next n bytes; `what` names the field for the error ("QE report at offset 770 needs 384 bytes, 12 left").
    Result<std::span<const uint8_t>> take(size_t n, std::string_view what) {
        if (n > remaining())
            return Error::msg(std::string(what) + " at offset " + std::to_string(m_base + m_pos) + " needs " +
                              std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
        auto out = m_bytes.subspan(m_pos, n);
        m_pos += n;
        return out;
    }

    // A trivially copyable value (little-endian integer or wire struct), copied out so later
    // checks work on a private copy.
    template <class T>
    Result<T> read(std::string_view what) {
        static_assert(std::is_trivially_copyable_v<T>);
        auto bytes = CW_TRY(take(sizeof(T), what));
        T value;
        std::memcpy(&value, bytes.data(), sizeof(T));
        return value;
    }

private:
    std::span<const uint8_t> m_bytes;
    size_t m_base;
    size_t m_pos = 0;
};

}  // namespace cw::attest::tdx
