#include "evidence/x509/signature.h"

#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <limits>

namespace cw::attest {

namespace {

// P-384 needs 48 bytes; SNP stores 72-byte fields. Anything longer is malformed input.
constexpr size_t kMaxRawIntegerSize = 72;

const EVP_MD* digest_of(HashAlg hash) { return hash == HashAlg::Sha256 ? EVP_sha256() : EVP_sha384(); }

Result<BignumPtr> raw_to_bignum(std::span<const uint8_t> raw, ByteOrder order, const char* what) {
    if (raw.empty() || raw.size() > kMaxRawIntegerSize)
        return Error::msg(std::string("ECDSA ") + what + ": " + std::to_string(raw.size()) + " bytes, expected 1.." +
                          std::to_string(kMaxRawIntegerSize));
    int len = static_cast<int>(raw.size());
    BignumPtr bn(order == ByteOrder::BigEndian ? BN_bin2bn(raw.data(), len, nullptr) : BN_lebin2bn(raw.data(), len, nullptr));
    if (!bn)
        return openssl_error(std::string("ECDSA ") + what);
    if (BN_is_zero(bn.get()))
        return Error::msg(std::string("ECDSA ") + what + " is zero");
    return bn;
}

Result<void> check_curve(const EVP_PKEY* key, EcCurve curve) {
    EcCurve actual = CW_TRY(ec_key_curve(key));
    if (actual != curve)
        return Error::msg("ECDSA key is on " + std::string(ec_curve_name(actual)) + ", expected " +
                          std::string(ec_curve_name(curve)));
    return {};
}

// EVP_DigestVerifyInit wants a mutable key; it only takes a reference.
EVP_PKEY* mutable_key(const EVP_PKEY* key) { return const_cast<EVP_PKEY*>(key); }  // NOLINT

}  // namespace

Result<std::vector<uint8_t>> ecdsa_raw_to_der(std::span<const uint8_t> r, std::span<const uint8_t> s, ByteOrder order) {
    BignumPtr r_bn = CW_TRY(raw_to_bignum(r, order, "r"));
    BignumPtr s_bn = CW_TRY(raw_to_bignum(s, order, "s"));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!sig || ECDSA_SIG_set0(sig.get(), r_bn.get(), s_bn.get()) != 1)
        return openssl_error("ECDSA_SIG_set0");
    (void)r_bn.release();  // now owned by sig
    (void)s_bn.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0)
        return openssl_error("i2d_ECDSA_SIG");
    std::vector<uint8_t> out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Result<void> verify_ecdsa(const EVP_PKEY* key, EcCurve curve, HashAlg hash, std::span<const uint8_t> message,
                          std::span<const uint8_t> r, std::span<const uint8_t> s, ByteOrder order) {
    CW_TRY(check_curve(key, curve));
    std::vector<uint8_t> der = CW_TRY(ecdsa_raw_to_der(r, s, order));
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(hash), nullptr, mutable_key(key)) != 1)
        return openssl_error("ECDSA verify init");
    int rc = EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(), message.size());
    if (rc != 1) {
        drain_openssl_errors();
        return Error::msg("ECDSA signature does not verify");
    }
    return {};
}

Result<void> verify_ecdsa_concat(const EVP_PKEY* key, EcCurve curve, HashAlg hash, std::span<const uint8_t> message,
                                 std::span<const uint8_t> rs, ByteOrder order) {
    if (rs.empty() || rs.size() % 2 != 0)
        return Error::msg("ECDSA r||s: odd or zero length " + std::to_string(rs.size()));
    size_t half = rs.size() / 2;
    return verify_ecdsa(key, curve, hash, message, rs.first(half), rs.subspan(half), order);
}

Result<EcdsaRawSignature> sign_ecdsa(const EVP_PKEY* private_key, EcCurve curve, HashAlg hash,
                                     std::span<const uint8_t> message, size_t field_size, ByteOrder order) {
    CW_TRY(check_curve(private_key, curve));
    if (field_size < ec_field_size(curve) || field_size > kMaxRawIntegerSize)
        return Error::msg("ECDSA sign: field size " + std::to_string(field_size) + " cannot hold the curve's integers");
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    size_t der_len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_of(hash), nullptr, mutable_key(private_key)) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &der_len, message.data(), message.size()) != 1)
        return openssl_error("ECDSA sign init");
    std::vector<uint8_t> der(der_len);
    if (EVP_DigestSign(ctx.get(), der.data(), &der_len, message.data(), message.size()) != 1)
        return openssl_error("ECDSA sign");
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    if (!sig)
        return openssl_error("ECDSA sign: decoding own signature");
    EcdsaRawSignature out{std::vector<uint8_t>(field_size), std::vector<uint8_t>(field_size)};
    int width = static_cast<int>(field_size);
    bool ok = order == ByteOrder::BigEndian
                  ? BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.r.data(), width) == width &&
                        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.s.data(), width) == width
                  : BN_bn2lebinpad(ECDSA_SIG_get0_r(sig.get()), out.r.data(), width) == width &&
                        BN_bn2lebinpad(ECDSA_SIG_get0_s(sig.get()), out.s.data(), width) == width;
    if (!ok)
        return openssl_error("ECDSA sign: encoding r/s");
    return out;
}

Result<void> verify_rsa_pss(const EVP_PKEY* key, HashAlg hash, std::span<const uint8_t> message,
                            std::span<const uint8_t> signature, int salt_len) {
    if (key == nullptr || (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA_PSS))
        return Error::msg("RSA-PSS: key is not an RSA key");
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_of(hash), nullptr, mutable_key(key)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_of(hash)) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1)
        return openssl_error("RSA-PSS verify init");
    if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) != 1) {
        drain_openssl_errors();
        return Error::msg("RSA-PSS signature does not verify");
    }
    return {};
}

}  // namespace cw::attest
