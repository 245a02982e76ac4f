// A minimal DER reader for the few ASN.1 shapes in the Intel SGX PCK certificate extension
// (SEQUENCE, OBJECT IDENTIFIER, INTEGER, OCTET STRING, ENUMERATED). The bytes come from a
// certificate whose signature has already been checked, but the reader is still bounded and
// total: a malformed element is an error, never a read past the span.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace cw::attest::tdx::der {

inline constexpr uint8_t kTagInteger = 0x02;
inline constexpr uint8_t kTagOctetString = 0x04;
inline constexpr uint8_t kTagOid = 0x06;
inline constexpr uint8_t kTagEnumerated = 0x0a;
inline constexpr uint8_t kTagSequence = 0x30;

struct Element {
    uint8_t tag = 0;
    std::span<const uint8_t> value;  // contents octets only
};

class Reader {
public:
    explicit Reader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}
    [[nodiscard]] bool empty() const { return m_pos == m_bytes.size(); }
    // The next TLV; single-byte tags only, definite lengths of at most 4 length octets.
    Result<Element> next();
    // The next TLV, which must carry `tag`.
    Result<Element> expect(uint8_t tag);

private:
    std::span<const uint8_t> m_bytes;
    size_t m_pos = 0;
};

// A non-negative INTEGER (or ENUMERATED) that fits in `max`.
Result<uint32_t> to_uint(const Element& element, uint32_t max);

}  // namespace cw::attest::tdx::der
