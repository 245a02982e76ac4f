// Content digests: the one place "sha256:<64 lowercase hex>" is parsed, and a streaming
// SHA-256 for verifying blobs as they are read (no blob is trusted before it is hashed).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace cw::oci {

struct Digest {
    std::string hex;  // 64 lowercase hex characters, validated

    [[nodiscard]] std::string str() const { return "sha256:" + hex; }
    // The first 12 hex characters, as `docker images` shows them: enough to name a layer.
    [[nodiscard]] std::string short_hex() const { return hex.substr(0, 12); }
    bool operator==(const Digest&) const = default;
};

// Accepts only "sha256:" followed by exactly 64 lowercase hex characters.
[[nodiscard]] Result<Digest> parse_digest(std::string_view text);
[[nodiscard]] bool is_sha256_hex(std::string_view hex);

class Sha256 {
public:
    Sha256();
    void update(std::span<const uint8_t> bytes);
    void update(const void* data, size_t size) { update({static_cast<const uint8_t*>(data), size}); }
    // Finalizes; the hasher is spent afterwards.
    [[nodiscard]] Digest finish();

private:
    struct CtxFree {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, CtxFree> m_ctx;
};

}  // namespace cw::oci
