// SHA-256 / SHA-384 one-shot digests shared by the SNP and TDX verifiers (hex comes from
// base/hex.h, re-exported here for their callers).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hex.h"

namespace cw::attest {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;

Sha256Digest sha256(std::span<const uint8_t> data);
Sha384Digest sha384(std::span<const uint8_t> data);

using cw::from_hex;
using cw::to_hex_lower;
using cw::to_hex_upper;

}  // namespace cw::attest
