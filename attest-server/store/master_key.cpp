#include "store/master_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::store {

namespace {

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;

constexpr std::string_view kAadLabel = "cw-attest sealed disk key v1";
// Workload ids are at most 128 characters (protocol); the bound only keeps lengths in int.
constexpr size_t kMaxWorkloadIdBytes = 1024;

// AAD = label || 0x00 || workload id: the NUL keeps label and id from running together.
std::vector<uint8_t> seal_aad(std::string_view workload_id) {
    std::vector<uint8_t> aad(kAadLabel.begin(), kAadLabel.end());
    aad.push_back(0);
    aad.insert(aad.end(), workload_id.begin(), workload_id.end());
    return aad;
}

// One AES-256-GCM context with key, IV and AAD set; encrypt or decrypt.
Result<CipherCtxPtr> gcm_context(bool encrypt, const uint8_t* key, const uint8_t* iv,
                                 std::string_view workload_id) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return openssl_error("EVP_CIPHER_CTX_new");
    const int enc = encrypt ? 1 : 0;
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kSealIvBytes), nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key, iv, enc) != 1)
        return openssl_error("AES-256-GCM init");
    const std::vector<uint8_t> aad = seal_aad(workload_id);
    int len = 0;
    if (EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
        return openssl_error("AES-256-GCM AAD");
    return ctx;
}

}  // namespace

Result<MasterKey> MasterKey::from_bytes(std::span<const uint8_t> key) {
    if (key.size() != kMasterKeyBytes)
        return Error::msg("master key: " + std::to_string(key.size()) + " bytes, expected " +
                          std::to_string(kMasterKeyBytes));
    MasterKey out;
    std::copy(key.begin(), key.end(), out.m_key.begin());
    out.m_valid = true;
    return out;
}

MasterKey::MasterKey(MasterKey&& other) noexcept : m_key(other.m_key), m_valid(other.m_valid) {
    other.wipe();
}

MasterKey& MasterKey::operator=(MasterKey&& other) noexcept {
    if (this != &other) {
        m_key = other.m_key;
        m_valid = other.m_valid;
        other.wipe();
    }
    return *this;
}

MasterKey::~MasterKey() { wipe(); }

void MasterKey::wipe() noexcept {
    OPENSSL_cleanse(m_key.data(), m_key.size());
    m_valid = false;
}

Result<std::vector<uint8_t>> MasterKey::seal(std::span<const uint8_t> plaintext,
                                             std::string_view workload_id) const {
    if (!m_valid)
        return Error::msg("seal: master key was moved from");
    if (plaintext.empty() || plaintext.size() > kMaxSealPlaintextBytes)
        return Error::msg("seal: plaintext of " + std::to_string(plaintext.size()) + " bytes (1.." +
                          std::to_string(kMaxSealPlaintextBytes) + ")");
    if (workload_id.size() > kMaxWorkloadIdBytes)
        return Error::msg("seal: workload id longer than " + std::to_string(kMaxWorkloadIdBytes) + " bytes");

    std::vector<uint8_t> out(kSealOverheadBytes + plaintext.size());
    out[0] = kSealedVersion;
    uint8_t* iv = out.data() + 1;
    uint8_t* ciphertext = iv + kSealIvBytes;
    uint8_t* tag = ciphertext + plaintext.size();
    if (RAND_bytes(iv, static_cast<int>(kSealIvBytes)) != 1)
        return openssl_error("seal: RAND_bytes");

    CipherCtxPtr ctx = CW_TRY(gcm_context(true, m_key.data(), iv, workload_id).context("seal"));
    int len = 0;
    int final_len = 0;
    if (EVP_EncryptUpdate(ctx.get(), ciphertext, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &final_len) != 1 ||
        static_cast<size_t>(len) + static_cast<size_t>(final_len) != plaintext.size())
        return openssl_error("seal: AES-256-GCM encrypt");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kSealTagBytes), tag) != 1)
        return openssl_error("seal: AES-256-GCM tag");
    return out;
}

Result<SecretBytes> MasterKey::open(std::span<const uint8_t> sealed, std::string_view workload_id) const {
    if (!m_valid)
        return Error::msg("open sealed disk key: master key was moved from");
    if (sealed.size() <= kSealOverheadBytes || sealed.size() > kSealOverheadBytes + kMaxSealPlaintextBytes)
        return Error::msg("sealed disk key: " + std::to_string(sealed.size()) + " bytes, not a sealed key");
    if (sealed[0] != kSealedVersion)
        return Error::msg("sealed disk key: unknown format version " + std::to_string(sealed[0]));
    if (workload_id.size() > kMaxWorkloadIdBytes)
        return Error::msg("open sealed disk key: workload id longer than " + std::to_string(kMaxWorkloadIdBytes) +
                          " bytes");

    const size_t n = sealed.size() - kSealOverheadBytes;
    const uint8_t* iv = sealed.data() + 1;
    const uint8_t* ciphertext = iv + kSealIvBytes;
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer: hand it a copy.
    std::array<uint8_t, kSealTagBytes> tag{};
    std::copy_n(ciphertext + n, kSealTagBytes, tag.begin());

    CipherCtxPtr ctx = CW_TRY(gcm_context(false, m_key.data(), iv, workload_id).context("open sealed disk key"));
    // Decrypted bytes are unauthenticated until DecryptFinal; SecretBytes wipes them on failure.
    SecretBytes plaintext(n);
    int len = 0;
    if (EVP_DecryptUpdate(ctx.get(), plaintext.data(), &len, ciphertext, static_cast<int>(n)) != 1 ||
        static_cast<size_t>(len) != n)
        return openssl_error("open sealed disk key: AES-256-GCM decrypt");
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kSealTagBytes), tag.data()) != 1)
        return openssl_error("open sealed disk key: AES-256-GCM tag");
    int final_len = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + n, &final_len) != 1) {
        ERR_clear_error();  // a tag mismatch is the expected failure here, not an OpenSSL fault
        return Error::msg("sealed disk key does not open with this master key");
    }
    return plaintext;
}

}  // namespace cw::attest::store
