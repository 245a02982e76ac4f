#include "evidence/x509/digest.h"

#include <openssl/sha.h>

namespace cw::attest {

Sha256Digest sha256(std::span<const uint8_t> data) {
    Sha256Digest out{};
    SHA256(data.data(), data.size(), out.data());
    return out;
}

Sha384Digest sha384(std::span<const uint8_t> data) {
    Sha384Digest out{};
    SHA384(data.data(), data.size(), out.data());
    return out;
}

namespace {

std::string to_hex(std::span<const uint8_t> bytes, const char* digits) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex_upper(std::span<const uint8_t> bytes) { return to_hex(bytes, "0123456789ABCDEF"); }
std::string to_hex_lower(std::span<const uint8_t> bytes) { return to_hex(bytes, "0123456789abcdef"); }

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0)
        return std::nullopt;
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return out;
}

}  // namespace cw::attest
