#include "protocol/binding.h"

#include <cstdlib>

#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::protocol {

std::array<uint8_t, 64> report_data_binding(std::span<const uint8_t, kNonceSize> nonce,
                                            std::span<const uint8_t, kTeePublicKeySize> tee_pubkey) {
    constexpr uint8_t kSeparator = 0x00;
    std::array<uint8_t, 64> out{};
    unsigned int len = 0;
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    // SHA-512 over memory only fails if OpenSSL itself is broken: a wrong binding would be
    // worse than stopping, so abort rather than return something unchecked.
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), kReportDataLabel.data(), kReportDataLabel.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), &kSeparator, 1) != 1 ||
        EVP_DigestUpdate(ctx.get(), nonce.data(), nonce.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), tee_pubkey.data(), tee_pubkey.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
        std::abort();
    return out;
}

}  // namespace cw::attest::protocol
