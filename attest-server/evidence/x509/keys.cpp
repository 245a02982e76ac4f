#include "evidence/x509/keys.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <array>
#include <limits>
#include <vector>

#include "evidence/x509/cert.h"

namespace cw::attest {

namespace {

constexpr uint64_t kMaxKeyFileSize = 64 * 1024;

Result<BioPtr> memory_bio(std::span<const uint8_t> bytes) {
    if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return Error::msg("key: input too large");
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    if (!bio)
        return openssl_error("BIO_new_mem_buf");
    return bio;
}

Result<std::string> bio_to_string(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0)
        return openssl_error("PEM encoding produced no output");
    return std::string(data, static_cast<size_t>(len));
}

}  // namespace

size_t ec_field_size(EcCurve curve) { return curve == EcCurve::P256 ? 32 : 48; }

std::string_view ec_curve_name(EcCurve curve) { return curve == EcCurve::P256 ? "prime256v1" : "secp384r1"; }

Result<EcCurve> ec_key_curve(const EVP_PKEY* key) {
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
        return Error::msg("key is not an EC key");
    std::array<char, 64> name{};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, name.data(), name.size(), &len) != 1)
        return openssl_error("EC key: no group name");
    std::string_view group(name.data(), len);
    for (EcCurve curve : {EcCurve::P256, EcCurve::P384}) {
        if (group == ec_curve_name(curve))
            return curve;
    }
    return Error::msg("EC key on unsupported curve " + std::string(group));
}

Result<EvpPkeyPtr> ec_public_key_from_xy(EcCurve curve, std::span<const uint8_t> xy) {
    size_t field = ec_field_size(curve);
    if (xy.size() != 2 * field)
        return Error::msg("raw EC point: " + std::to_string(xy.size()) + " bytes, expected " + std::to_string(2 * field));
    std::vector<uint8_t> point(1 + xy.size());
    point[0] = 0x04;  // SEC 1 uncompressed point
    std::copy(xy.begin(), xy.end(), point.begin() + 1);
    std::string group(ec_curve_name(curve));
    std::array<OSSL_PARAM, 3> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end(),
    };
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.data()) != 1)
        return openssl_error("raw EC point is not a valid " + group + " public key");
    EvpPkeyPtr key(raw);
    // fromdata does not always check the point is on the curve; do it explicitly.
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return openssl_error("raw EC point is not on " + group);
    return key;
}

Result<EvpPkeyPtr> parse_public_key_pem(std::span<const uint8_t> pem) {
    BioPtr bio = CW_TRY(memory_bio(pem));
    EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        return openssl_error("PEM public key: not a valid SubjectPublicKeyInfo");
    return key;
}

Result<EvpPkeyPtr> parse_private_key_pem(std::span<const uint8_t> pem) {
    BioPtr bio = CW_TRY(memory_bio(pem));
    // An empty passphrase: encrypted keys fail instead of prompting on the terminal.
    char empty[] = "";
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, empty));
    if (!key)
        return openssl_error("PEM private key: not a valid unencrypted private key");
    return key;
}

Result<EvpPkeyPtr> load_public_key_file(const std::string& path) {
    std::vector<uint8_t> bytes = CW_TRY(read_file_bytes(path, kMaxKeyFileSize));
    return parse_public_key_pem(bytes).context(path);
}

Result<EvpPkeyPtr> load_private_key_file(const std::string& path) {
    std::vector<uint8_t> bytes = CW_TRY(read_file_bytes(path, kMaxKeyFileSize));
    return parse_private_key_pem(bytes).context(path);
}

Result<EvpPkeyPtr> generate_ec_key(EcCurve curve) {
    std::string group(ec_curve_name(curve));
    // EVP_PKEY_Q_keygen rather than the EVP_EC_gen macro (which casts and uses NULL).
    EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str()));
    if (!key)
        return openssl_error("generating " + group + " key");
    return key;
}

Result<std::string> public_key_to_pem(const EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1)
        return openssl_error("PEM_write_bio_PUBKEY");
    return bio_to_string(bio.get());
}

Result<std::string> private_key_to_pem(const EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return openssl_error("PEM_write_bio_PrivateKey");
    return bio_to_string(bio.get());
}

}  // namespace cw::attest
