#include "protocol/key_wrap.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>

#include "base/hex.h"
#include "evidence/x509/keys.h"

namespace cw::attest::protocol {

namespace {

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpensslDeleter<EVP_CIPHER_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, OpensslDeleter<EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OpensslDeleter<EVP_KDF_CTX_free>>;

constexpr size_t kFieldSize = 48;
constexpr size_t kAesKeySize = 32;

using SharedSecret = std::array<uint8_t, kFieldSize>;
using AesKey = std::array<uint8_t, kAesKeySize>;

// Wipes a secret when it goes out of scope, on every return path.
template <class Buffer>
class Wiped {
public:
    Wiped() = default;
    Wiped(const Wiped&) = delete;
    Wiped& operator=(const Wiped&) = delete;
    ~Wiped() { OPENSSL_cleanse(m_buffer.data(), m_buffer.size()); }
    Buffer& get() { return m_buffer; }

private:
    Buffer m_buffer{};
};

Result<void> require_p384(const EVP_PKEY* key, std::string_view what) {
    EcCurve curve = CW_TRY(ec_key_curve(key).context(what));
    if (curve != EcCurve::P384)
        return Error::msg(std::string(what) + ": expected a P-384 key");
    return {};
}

// Z: the X coordinate of ECDH(own private, peer public), written into `z`.
Result<void> ecdh(const EVP_PKEY* own, const EVP_PKEY* peer, SharedSecret& z) {
    // OpenSSL's EVP_PKEY arguments are non-const but only read here.
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(own), nullptr));
    size_t len = z.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), const_cast<EVP_PKEY*>(peer), 1) != 1 ||
        EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1)
        return openssl_error("ECDH");
    if (len != z.size())
        return Error::msg("ECDH: " + std::to_string(len) + "-byte shared secret, expected 48");
    return {};
}

// K = HKDF-SHA384(Z, salt = nonce, info = label || 0x00 || epk || tee_pubkey), into `key`.
Result<void> derive_key(SharedSecret& z, std::span<const uint8_t, kNonceSize> nonce,
                        std::span<const uint8_t, kTeePublicKeySize> epk,
                        std::span<const uint8_t, kTeePublicKeySize> tee_pubkey, AesKey& key) {
    std::vector<uint8_t> info(kKeyWrapLabel.begin(), kKeyWrapLabel.end());
    info.push_back(0x00);
    info.insert(info.end(), epk.begin(), epk.end());
    info.insert(info.end(), tee_pubkey.begin(), tee_pubkey.end());
    char digest[] = "SHA384";
    // OSSL_PARAM takes void*; the KDF only reads these buffers.
    std::array<OSSL_PARAM, 5> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z.data(), z.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(nonce.data()), nonce.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end(),
    };
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx || EVP_KDF_derive(ctx.get(), key.data(), key.size(), params.data()) != 1)
        return openssl_error("HKDF-SHA384");
    return {};
}

int int_size(size_t size) { return static_cast<int>(size); }  // callers bound sizes to kMaxWrappedKeyBytes

}  // namespace

Result<EvpPkeyPtr> generate_tee_key() { return generate_ec_key(EcCurve::P384); }

Result<std::array<uint8_t, kTeePublicKeySize>> encode_public_point(const EVP_PKEY* key) {
    CW_TRY(require_p384(key, "public point"));
    BIGNUM* x_raw = nullptr;
    BIGNUM* y_raw = nullptr;
    int got_x = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
    BignumPtr x(x_raw);
    int got_y = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
    BignumPtr y(y_raw);
    std::array<uint8_t, kTeePublicKeySize> out{};
    out[0] = 0x04;  // SEC 1 uncompressed
    if (got_x != 1 || got_y != 1 || BN_bn2binpad(x.get(), out.data() + 1, int_size(kFieldSize)) != int_size(kFieldSize) ||
        BN_bn2binpad(y.get(), out.data() + 1 + kFieldSize, int_size(kFieldSize)) != int_size(kFieldSize))
        return openssl_error("public point: reading the EC coordinates");
    return out;
}

Result<EvpPkeyPtr> decode_public_point(std::span<const uint8_t, kTeePublicKeySize> point) {
    if (point[0] != 0x04)
        return Error::msg("public point: expected an uncompressed point (prefix 0x04), got prefix " + hex(point[0]));
    // ec_public_key_from_xy runs OpenSSL's public-key check: on the curve, not infinity.
    return ec_public_key_from_xy(EcCurve::P384, point.subspan<1>()).context("public point");
}

Result<WrappedKey> wrap_key(const EVP_PKEY* tee_public, std::span<const uint8_t> key, const WrapContext& context) {
    constexpr std::string_view kStep = "wrapping disk key";
    if (key.empty() || key.size() > kMaxWrappedKeyBytes)
        return Error::msg(std::string(kStep) + ": key of " + std::to_string(key.size()) + " bytes (1 to " +
                          std::to_string(kMaxWrappedKeyBytes) + " allowed)");
    CW_TRY(require_p384(tee_public, "TEE public key").context(kStep));
    std::array<uint8_t, kTeePublicKeySize> tee_point = CW_TRY(encode_public_point(tee_public).context(kStep));
    EvpPkeyPtr ephemeral = CW_TRY(generate_ec_key(EcCurve::P384).context(kStep));

    WrappedKey out;
    out.epk = CW_TRY(encode_public_point(ephemeral.get()).context(kStep));
    if (RAND_bytes(out.iv.data(), int_size(out.iv.size())) != 1)
        return openssl_error("RAND_bytes").context(kStep);

    Wiped<SharedSecret> z;
    Wiped<AesKey> k;
    CW_TRY(ecdh(ephemeral.get(), tee_public, z.get()).context(kStep));
    CW_TRY(derive_key(z.get(), context.nonce, out.epk, tee_point, k.get()).context(kStep));

    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    out.ciphertext.resize(key.size());
    int len = 0;
    int final_len = 0;
    const auto* aad = reinterpret_cast<const uint8_t*>(context.workload.data());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k.get().data(), out.iv.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad, int_size(context.workload.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len, key.data(), int_size(key.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + len, &final_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int_size(out.tag.size()), out.tag.data()) != 1)
        return openssl_error("AES-256-GCM encrypt").context(kStep);
    return out;
}

Result<std::vector<uint8_t>> unwrap_key(const EVP_PKEY* tee_private, const WrappedKey& wrapped,
                                        const WrapContext& context) {
    constexpr std::string_view kStep = "disk key";
    if (wrapped.ciphertext.empty() || wrapped.ciphertext.size() > kMaxWrappedKeyBytes)
        return Error::msg(std::string(kStep) + ": ciphertext of " + std::to_string(wrapped.ciphertext.size()) +
                          " bytes (1 to " + std::to_string(kMaxWrappedKeyBytes) + " allowed)");
    CW_TRY(require_p384(tee_private, "TEE private key").context(kStep));
    std::array<uint8_t, kTeePublicKeySize> tee_point = CW_TRY(encode_public_point(tee_private).context(kStep));
    EvpPkeyPtr epk = CW_TRY(decode_public_point(wrapped.epk).context(std::string(kStep) + ": epk"));

    Wiped<SharedSecret> z;
    Wiped<AesKey> k;
    CW_TRY(ecdh(tee_private, epk.get(), z.get()).context(kStep));
    CW_TRY(derive_key(z.get(), context.nonce, wrapped.epk, tee_point, k.get()).context(kStep));

    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::vector<uint8_t> plain(wrapped.ciphertext.size());
    int len = 0;
    int final_len = 0;
    const auto* aad = reinterpret_cast<const uint8_t*>(context.workload.data());
    std::array<uint8_t, 16> tag = wrapped.tag;  // EVP_CTRL_GCM_SET_TAG takes a non-const buffer
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k.get().data(), wrapped.iv.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad, int_size(context.workload.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), plain.data(), &len, wrapped.ciphertext.data(),
                          int_size(wrapped.ciphertext.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int_size(tag.size()), tag.data()) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return openssl_error("AES-256-GCM decrypt").context(kStep);
    }
    if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &final_len) != 1) {
        OPENSSL_cleanse(plain.data(), plain.size());
        (void)drain_openssl_errors();  // the queue holds only the tag failure
        return Error::msg(std::string(kStep) +
                          ": authentication failed (not wrapped to this TEE key, for this session's nonce and "
                          "this workload, or modified on the way)");
    }
    return plain;
}

}  // namespace cw::attest::protocol
