// ECDSA with raw r/s encodings, raw EC points and RSA-PSS.
#include <doctest/doctest.h>

#include <openssl/rsa.h>

#include <algorithm>

#include "evidence/x509/keys.h"
#include "evidence/x509/signature.h"

namespace cw::attest {
namespace {

const std::vector<uint8_t> kMessage = {'e', 'v', 'i', 'd', 'e', 'n', 'c', 'e'};

EvpPkeyPtr make_key(EcCurve curve) {
    auto key = generate_ec_key(curve);
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    return std::move(key).value();
}

TEST_CASE("ECDSA P-384/SHA-384 with 72-byte little-endian fields (SNP) round trips") {
    EvpPkeyPtr key = make_key(EcCurve::P384);
    auto sig = sign_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, kMessage, 72, ByteOrder::LittleEndian);
    REQUIRE(sig.ok());
    CHECK(std::all_of(sig->r.begin() + 48, sig->r.end(), [](uint8_t b) { return b == 0; }));
    CHECK(verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, kMessage, sig->r, sig->s, ByteOrder::LittleEndian).ok());
    CHECK_FALSE(verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, kMessage, sig->s, sig->r, ByteOrder::LittleEndian).ok());
    CHECK_FALSE(verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, kMessage, sig->r, sig->s, ByteOrder::BigEndian).ok());
    std::vector<uint8_t> other = kMessage;
    other[0] ^= 1;
    CHECK_FALSE(verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, other, sig->r, sig->s, ByteOrder::LittleEndian).ok());
}

TEST_CASE("ECDSA P-256/SHA-256 with big-endian r||s (Intel DCAP) round trips") {
    EvpPkeyPtr key = make_key(EcCurve::P256);
    auto sig = sign_ecdsa(key.get(), EcCurve::P256, HashAlg::Sha256, kMessage, 32, ByteOrder::BigEndian);
    REQUIRE(sig.ok());
    std::vector<uint8_t> rs = sig->r;
    rs.insert(rs.end(), sig->s.begin(), sig->s.end());
    CHECK(verify_ecdsa_concat(key.get(), EcCurve::P256, HashAlg::Sha256, kMessage, rs, ByteOrder::BigEndian).ok());
    CHECK_FALSE(verify_ecdsa_concat(key.get(), EcCurve::P256, HashAlg::Sha256, kMessage,
                                    std::span<const uint8_t>(rs).first(63), ByteOrder::BigEndian).ok());
}

TEST_CASE("a key on the wrong curve is refused, not tried") {
    EvpPkeyPtr key = make_key(EcCurve::P256);
    auto sig = sign_ecdsa(key.get(), EcCurve::P256, HashAlg::Sha256, kMessage, 32, ByteOrder::BigEndian);
    REQUIRE(sig.ok());
    auto r = verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha256, kMessage, sig->r, sig->s, ByteOrder::BigEndian);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("prime256v1") != std::string::npos);
}

TEST_CASE("zero or oversized r/s are malformed") {
    const std::vector<uint8_t> zero(48, 0);
    const std::vector<uint8_t> one(48, 1);
    const std::vector<uint8_t> huge(73, 1);
    CHECK_FALSE(ecdsa_raw_to_der(zero, one, ByteOrder::LittleEndian).ok());
    CHECK_FALSE(ecdsa_raw_to_der(huge, one, ByteOrder::LittleEndian).ok());
    CHECK(ecdsa_raw_to_der(one, one, ByteOrder::LittleEndian).ok());
}

TEST_CASE("a raw X||Y point becomes a key that verifies; off-curve points are refused") {
    EvpPkeyPtr key = make_key(EcCurve::P256);
    std::vector<uint8_t> point(65);
    size_t len = 0;
    REQUIRE(EVP_PKEY_get_octet_string_param(key.get(), "encoded-pub-key", point.data(), point.size(), &len) == 1);
    REQUIRE(len == 65);
    std::vector<uint8_t> xy(point.begin() + 1, point.end());
    auto pub = ec_public_key_from_xy(EcCurve::P256, xy);
    REQUIRE_MESSAGE(pub.ok(), pub.error().to_string());
    auto sig = sign_ecdsa(key.get(), EcCurve::P256, HashAlg::Sha256, kMessage, 32, ByteOrder::BigEndian);
    REQUIRE(sig.ok());
    CHECK(verify_ecdsa(pub->get(), EcCurve::P256, HashAlg::Sha256, kMessage, sig->r, sig->s, ByteOrder::BigEndian).ok());
    xy[63] ^= 1;
    CHECK_FALSE(ec_public_key_from_xy(EcCurve::P256, xy).ok());
    CHECK_FALSE(ec_public_key_from_xy(EcCurve::P384, xy).ok());
}

TEST_CASE("PEM round trip of a private and a public key") {
    EvpPkeyPtr key = make_key(EcCurve::P384);
    auto priv_pem = private_key_to_pem(key.get());
    auto pub_pem = public_key_to_pem(key.get());
    REQUIRE(priv_pem.ok());
    REQUIRE(pub_pem.ok());
    auto as_bytes = [](const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); };
    auto priv = parse_private_key_pem(as_bytes(*priv_pem));
    auto pub = parse_public_key_pem(as_bytes(*pub_pem));
    REQUIRE(priv.ok());
    REQUIRE(pub.ok());
    CHECK(EVP_PKEY_eq(pub->get(), key.get()) == 1);
    CHECK(ec_key_curve(priv->get()).value() == EcCurve::P384);
    CHECK_FALSE(parse_public_key_pem(as_bytes("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")).ok());
}

TEST_CASE("RSA-PSS SHA-384 with a 48-byte salt verifies; a flipped byte fails") {
    EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    REQUIRE(key);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    REQUIRE(EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha384(), nullptr, key.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) == 1);
    std::vector<uint8_t> sig(256);
    size_t len = sig.size();
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, kMessage.data(), kMessage.size()) == 1);
    CHECK(verify_rsa_pss(key.get(), HashAlg::Sha384, kMessage, sig, 48).ok());
    CHECK(verify_rsa_pss(key.get(), HashAlg::Sha384, kMessage, sig).ok());
    sig[10] ^= 1;
    CHECK_FALSE(verify_rsa_pss(key.get(), HashAlg::Sha384, kMessage, sig).ok());
    EvpPkeyPtr ec = make_key(EcCurve::P256);
    CHECK_FALSE(verify_rsa_pss(ec.get(), HashAlg::Sha384, kMessage, sig).ok());
}

}  // namespace
}  // namespace cw::attest
