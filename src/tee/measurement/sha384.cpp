#include "tee/measurement/sha384.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <utility>

namespace cw::tee {

namespace {

// The reason OpenSSL gives for the most recent failure, for the error message.
std::string openssl_error(const char* step) {
    unsigned long code = ERR_get_error();
    if (code == 0)
        return std::string("SHA-384: ") + step + " failed";
    char reason[256];
    ERR_error_string_n(code, reason, sizeof(reason));
    return std::string("SHA-384: ") + step + ": " + reason;
}

}  // namespace

Result<Sha384Digest> sha384(std::span<const uint8_t> data) {
    Sha384Digest out{};
    unsigned int out_len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &out_len, EVP_sha384(), nullptr) != 1)
        return Error::msg(openssl_error("EVP_Digest"));
    if (out_len != kSha384Size)
        return Error::msg("SHA-384: EVP_Digest returned " + std::to_string(out_len) + " bytes");
    return out;
}

Result<Sha384Stream> Sha384Stream::create() {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr)
        return Error::msg(openssl_error("EVP_MD_CTX_new"));
    Sha384Stream stream(ctx);
    if (EVP_DigestInit_ex(ctx, EVP_sha384(), nullptr) != 1)
        return Error::msg(openssl_error("EVP_DigestInit_ex"));
    return stream;
}

Sha384Stream::Sha384Stream(Sha384Stream&& other) noexcept : m_ctx(std::exchange(other.m_ctx, nullptr)) {}

Sha384Stream& Sha384Stream::operator=(Sha384Stream&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(m_ctx);
        m_ctx = std::exchange(other.m_ctx, nullptr);
    }
    return *this;
}

Sha384Stream::~Sha384Stream() { EVP_MD_CTX_free(m_ctx); }

Result<void> Sha384Stream::update(std::span<const uint8_t> data) {
    if (m_ctx == nullptr)
        return Error::msg("SHA-384: update on a moved-from stream");
    if (EVP_DigestUpdate(m_ctx, data.data(), data.size()) != 1)
        return Error::msg(openssl_error("EVP_DigestUpdate"));
    return {};
}

Result<Sha384Digest> Sha384Stream::digest() const {
    if (m_ctx == nullptr)
        return Error::msg("SHA-384: digest of a moved-from stream");
    // Finalize a copy: EVP_DigestFinal_ex ends the context it is given.
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    if (copy == nullptr)
        return Error::msg(openssl_error("EVP_MD_CTX_new"));
    Sha384Digest out{};
    unsigned int out_len = 0;
    bool ok = EVP_MD_CTX_copy_ex(copy, m_ctx) == 1 && EVP_DigestFinal_ex(copy, out.data(), &out_len) == 1;
    EVP_MD_CTX_free(copy);
    if (!ok || out_len != kSha384Size)
        return Error::msg(openssl_error("EVP_DigestFinal_ex"));
    return out;
}

}  // namespace cw::tee
