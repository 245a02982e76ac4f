// How the legacy devices take accesses wider than one byte. They model 8-bit ISA devices,
// and an ISA bus splits a wider port access into byte cycles at consecutive ports: byte i
// of an access at `offset` reaches register `offset + i`, with the side effects a byte
// access there has. Bytes that fall past the device's last register are dropped on writes
// and read as zero. Every byte stays inside the caller's span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace cw::devices {

// The register that byte `index` of an access at `offset` reaches in a device of
// `register_count` byte registers, or nothing. Written so that no sum can wrap.
[[nodiscard]] inline std::optional<uint64_t> byte_lane(uint64_t offset, size_t index, uint64_t register_count) {
    if (offset >= register_count || index >= register_count - offset)
        return std::nullopt;
    return offset + index;
}

}  // namespace cw::devices
