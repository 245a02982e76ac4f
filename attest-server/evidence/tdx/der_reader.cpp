#include "evidence/tdx/der_reader.h"

#include <string>

namespace cw::attest::tdx::der {

Result<Element> Reader::next() {
    const size_t left = m_bytes.size() - m_pos;
    if (left < 2)
        return Error::msg("DER element truncated at offset " + std::to_string(m_pos));
    Element element;
    element.tag = m_bytes[m_pos];
    if ((element.tag & 0x1f) == 0x1f)
        return Error::msg("DER multi-byte tag at offset " + std::to_string(m_pos) + " is not supported");
    size_t pos = m_pos + 1;
    size_t length = m_bytes[pos++];
    if (length & 0x80) {
        const size_t octets = length & 0x7f;
        // 0x80 is the BER indefinite form (not DER); more than 4 octets cannot fit our inputs.
        if (octets == 0 || octets > 4 || octets > m_bytes.size() - pos)
            return Error::msg("DER length at offset " + std::to_string(m_pos) + " is malformed");
        length = 0;
        for (size_t i = 0; i < octets; ++i)
            length = (length << 8) | m_bytes[pos++];
    }
    if (length > m_bytes.size() - pos)
        return Error::msg("DER element at offset " + std::to_string(m_pos) + " declares " + std::to_string(length) +
                          " bytes, " + std::to_string(m_bytes.size() - pos) + " left");
    element.value = m_bytes.subspan(pos, length);
    m_pos = pos + length;
    return element;
}

Result<Element> Reader::expect(uint8_t tag) {
    const size_t at = m_pos;
    auto element = CW_TRY(next());
    if (element.tag != tag)
        return Error::msg("DER element at offset " + std::to_string(at) + " has tag " + std::to_string(element.tag) +
                          ", expected " + std::to_string(tag));
    return element;
}

Result<uint32_t> to_uint(const Element& element, uint32_t max) {
    if (element.tag != kTagInteger && element.tag != kTagEnumerated)
        return Error::msg("DER element with tag " + std::to_string(element.tag) + " is not an INTEGER");
    auto v = element.value;
    if (v.empty())
        return Error::msg("DER INTEGER is empty");
    if (v[0] & 0x80)
        return Error::msg("DER INTEGER is negative");
    uint64_t value = 0;
    for (uint8_t byte : v) {
        value = (value << 8) | byte;
        if (value > max)
            return Error::msg("DER INTEGER exceeds " + std::to_string(max));
    }
    return static_cast<uint32_t>(value);
}

}  // namespace cw::attest::tdx::der
