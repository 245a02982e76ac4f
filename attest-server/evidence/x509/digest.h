// SHA-256 / SHA-384 one-shot digests and hex helpers shared by the SNP and TDX verifiers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cw::attest {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;

Sha256Digest sha256(std::span<const uint8_t> data);
Sha384Digest sha384(std::span<const uint8_t> data);

// Uppercase hex without separators (the form the vectors README and pinned fingerprints use).
std::string to_hex_upper(std::span<const uint8_t> bytes);
// Lowercase hex (KDS URLs, JSON verdicts).
std::string to_hex_lower(std::span<const uint8_t> bytes);
// Parses hex of either case; nullopt on odd length or a non-hex character.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);

}  // namespace cw::attest
