// Strict base64 (RFC 4648 section 4: standard alphabet, '=' padding) for the binary values of
// cw-attest/1 bodies. Exactly one text encodes a given byte string: a decoder that accepted
// whitespace, missing padding or non-zero trailing bits would let two different bodies mean
// the same thing, which a signed or audited value must not allow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::attest::protocol {

// Every error from base64_decode for text that is not strict base64 starts with this phrase
// (messages.h relies on it to tell the server's bad_base64 apart from other malformations).
inline constexpr std::string_view kBadBase64 = "bad base64";

std::string base64_encode(std::span<const uint8_t> bytes);

// Decodes `text`, refusing: a length that is not a multiple of 4, any character outside
// [A-Za-z0-9+/] (whitespace included), '=' anywhere but the last one or two positions,
// non-zero bits after the last byte (a non-canonical encoding), all with "bad base64: ...";
// and text that would decode to more than `max_decoded` bytes ("decodes to N bytes, more
// than the limit of M": well-formed, just too large), checked before decoding anything.
Result<std::vector<uint8_t>> base64_decode(std::string_view text, size_t max_decoded);

}  // namespace cw::attest::protocol
