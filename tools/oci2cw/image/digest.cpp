#include "image/digest.h"

#include <array>

#include "base/hex.h"

namespace cw::oci {

bool is_sha256_hex(std::string_view hex) {
    if (hex.size() != 64)
        return false;
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

Result<Digest> parse_digest(std::string_view text) {
    constexpr std::string_view kPrefix = "sha256:";
    if (text.substr(0, kPrefix.size()) != kPrefix)
        return Error::msg("digest is not sha256:<hex>");
    std::string_view hex = text.substr(kPrefix.size());
    if (!is_sha256_hex(hex))
        return Error::msg("digest is not sha256: followed by 64 lowercase hex characters");
    return Digest{std::string(hex)};
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    // Allocation failure here leaves nothing sensible to do for a CLI tool.
    if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1)
        std::abort();
}

void Sha256::update(std::span<const uint8_t> bytes) {
    if (!bytes.empty())
        EVP_DigestUpdate(m_ctx.get(), bytes.data(), bytes.size());
}

Digest Sha256::finish() {
    std::array<uint8_t, 32> out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_ctx.get(), out.data(), &len);
    return Digest{to_hex_lower(out)};
}

}  // namespace cw::oci
