// Intel PCS signed collateral: `{"tcbInfo":{...},"signature":"<hex r||s>"}` (and likewise
// `enclaveIdentity`). Intel signs the exact bytes of the body value as served, so the body must
// be cut out of the document by position, never re-serialized (re-serializing reorders keys and
// changes whitespace, and the signature no longer verifies: attestation-facts.md 3.3).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace cw::attest {

// Collateral documents are a few KiB (TCB info with many levels is ~10 KiB); refuse more.
inline constexpr size_t kMaxCollateralJsonSize = 1 << 20;
// Nesting deeper than this is refused before any JSON library sees the text.
inline constexpr size_t kMaxCollateralJsonDepth = 32;

struct SignedJson {
    std::string_view body;                // raw bytes of the body value, a view into the document
    std::array<uint8_t, 64> signature{};  // ECDSA P-256 r || s, big-endian
};

// Splits a signed collateral document. The top level must be an object with exactly two
// members, `body_key` and "signature" (each once, in either order), the signature a string of
// 128 hex digits. The body is located by a structural scan (strings, escapes, nesting) and is
// not validated here beyond its extent; callers parse exactly these bytes afterwards, so what
// they evaluate is what was signed.
Result<SignedJson> split_signed_json(std::string_view document, std::string_view body_key);

}  // namespace cw::attest
