#include "protocol/base64.h"

#include <array>

#include "base/hex.h"

namespace cw::attest::protocol {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> make_decode_table() {
    std::array<uint8_t, 256> table{};
    table.fill(kInvalid);
    for (size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
    return table;
}
constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

Error bad(const std::string& why) { return Error::msg(std::string(kBadBase64) + ": " + why); }

}  // namespace

std::string base64_encode(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += kAlphabet[v >> 6 & 63];
        out += kAlphabet[v & 63];
    }
    size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t v = uint32_t{bytes[i]} << 16 | (rest == 2 ? uint32_t{bytes[i + 1]} << 8 : 0);
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

Result<std::vector<uint8_t>> base64_decode(std::string_view text, size_t max_decoded) {
    if (text.size() % 4 != 0)
        return bad("length " + std::to_string(text.size()) + " is not a multiple of 4");
    size_t padding = 0;
    if (!text.empty() && text.back() == '=')
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    size_t decoded_size = text.size() / 4 * 3 - padding;
    if (decoded_size > max_decoded)
        return Error::msg("decodes to " + std::to_string(decoded_size) + " bytes, more than the limit of " +
                          std::to_string(max_decoded));

    std::vector<uint8_t> out;
    out.reserve(decoded_size);
    size_t data_chars = text.size() - padding;
    uint32_t acc = 0;
    for (size_t i = 0; i < data_chars; ++i) {
        uint8_t c = static_cast<uint8_t>(text[i]);
        uint8_t v = kDecode[c];
        if (v == kInvalid) {
            // The character's code only: the text may be anything, the message stays one line.
            return bad(c == '=' ? "'=' at offset " + std::to_string(i) + " before the end"
                                : "character " + hex(c) + " at offset " + std::to_string(i) +
                                      " is not in the standard alphabet");
        }
        acc = acc << 6 | v;
        if (i % 4 == 3) {
            out.push_back(static_cast<uint8_t>(acc >> 16));
            out.push_back(static_cast<uint8_t>(acc >> 8));
            out.push_back(static_cast<uint8_t>(acc));
            acc = 0;
        }
    }
    // The final quantum: 2 characters carry 1 byte + 4 spare bits, 3 carry 2 bytes + 2 spare.
    if (padding == 2) {
        if ((acc & 0xF) != 0)
            return bad("non-zero bits after the last byte (non-canonical encoding)");
        out.push_back(static_cast<uint8_t>(acc >> 4));
    } else if (padding == 1) {
        if ((acc & 0x3) != 0)
            return bad("non-zero bits after the last byte (non-canonical encoding)");
        out.push_back(static_cast<uint8_t>(acc >> 10));
        out.push_back(static_cast<uint8_t>(acc >> 2));
    }
    return out;
}

}  // namespace cw::attest::protocol
