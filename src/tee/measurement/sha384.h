// SHA-384, the hash both launch measurements use (SEV-SNP launch digest, TDX MRTD and
// RTMRs), over OpenSSL's EVP interface. OpenSSL failures (allocation, a broken provider
// configuration) are host failures and come back as errors, never as a wrong digest.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <openssl/types.h>

#include "base/hex.h"
#include "base/result.h"

namespace cw::tee {

inline constexpr size_t kSha384Size = 48;
using Sha384Digest = std::array<uint8_t, kSha384Size>;

// SHA-384 of `data` in one call.
[[nodiscard]] Result<Sha384Digest> sha384(std::span<const uint8_t> data);

// An incremental SHA-384. digest() reads the hash of everything absorbed so far without
// ending the stream, so a caller can show a running value after each step.
class Sha384Stream {
public:
    [[nodiscard]] static Result<Sha384Stream> create();

    Sha384Stream(Sha384Stream&& other) noexcept;
    Sha384Stream& operator=(Sha384Stream&& other) noexcept;
    Sha384Stream(const Sha384Stream&) = delete;
    Sha384Stream& operator=(const Sha384Stream&) = delete;
    ~Sha384Stream();

    [[nodiscard]] Result<void> update(std::span<const uint8_t> data);
    [[nodiscard]] Result<Sha384Digest> digest() const;

private:
    explicit Sha384Stream(EVP_MD_CTX* ctx) : m_ctx(ctx) {}
    EVP_MD_CTX* m_ctx;
};

}  // namespace cw::tee
