// Bounded access to an untrusted kernel image, shared by the ELF and bzImage parsers.
//
// The image is whatever file the user named (or a fuzzer's bytes): every read checks its
// whole range without wrapping, and copies into a local, since the bytes need not be
// aligned for the type. Error messages print hostile offsets with hex_end(), which still
// says something true when offset + length wraps.
#pragma once
#include "base/hex.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

namespace cw::vmm::loader {

// True when [offset, offset + len) lies inside the image.
[[nodiscard]] constexpr bool in_image(std::span<const uint8_t> image, uint64_t offset, uint64_t len) {
    return offset <= image.size() && len <= image.size() - offset;
}

// A copy of the T at `offset`, or nullopt when it would read past the end of the image.
template <class T>
    requires std::is_trivially_copyable_v<T>
[[nodiscard]] std::optional<T> read_at(std::span<const uint8_t> image, uint64_t offset) {
    if (!in_image(image, offset, sizeof(T)))
        return std::nullopt;
    T value;
    std::memcpy(&value, image.data() + offset, sizeof(T));
    return value;
}


// The end of [offset, offset + len) for an error message: "0x...", or "0x...+0x..." when
// the sum wraps past 2^64.
[[nodiscard]] inline std::string hex_end(uint64_t offset, uint64_t len) {
    if (len > UINT64_MAX - offset)
        return hex(offset) + "+" + hex(len);
    return hex(offset + len);
}

}  // namespace cw::vmm::loader
