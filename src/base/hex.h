// Hex for error messages, digests and fingerprints: one codec for every component.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cw {

// An address or size as "0x1f000".
[[nodiscard]] std::string hex(uint64_t v);
// Bytes as hex without separators: lowercase (JSON, digests), uppercase (the form the
// pinned certificate fingerprints are written in).
[[nodiscard]] std::string to_hex_lower(std::span<const uint8_t> bytes);
[[nodiscard]] std::string to_hex_upper(std::span<const uint8_t> bytes);
// Parses hex of either case; nullopt on odd length or a non-hex character.
[[nodiscard]] std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);

}  // namespace cw
