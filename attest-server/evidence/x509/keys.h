// Public and private keys: PEM loading and writing, raw EC points (TDX attestation keys are a
// bare X||Y), and EC key generation for the simulated TEE and tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

enum class EcCurve { P256, P384 };

// Coordinate size in bytes: 32 for P-256, 48 for P-384.
size_t ec_field_size(EcCurve curve);
std::string_view ec_curve_name(EcCurve curve);  // OpenSSL group name: "prime256v1", "secp384r1"

// The key's EC curve, or an error if it is not an EC key on P-256 or P-384.
Result<EcCurve> ec_key_curve(const EVP_PKEY* key);

// A public key from an uncompressed point given as big-endian X||Y (2 * field size bytes).
Result<EvpPkeyPtr> ec_public_key_from_xy(EcCurve curve, std::span<const uint8_t> xy);

Result<EvpPkeyPtr> parse_public_key_pem(std::span<const uint8_t> pem);   // SubjectPublicKeyInfo
Result<EvpPkeyPtr> parse_private_key_pem(std::span<const uint8_t> pem);  // PKCS#8 or traditional, unencrypted
Result<EvpPkeyPtr> load_public_key_file(const std::string& path);
Result<EvpPkeyPtr> load_private_key_file(const std::string& path);

Result<EvpPkeyPtr> generate_ec_key(EcCurve curve);
Result<std::string> public_key_to_pem(const EVP_PKEY* key);
Result<std::string> private_key_to_pem(const EVP_PKEY* key);  // PKCS#8, unencrypted

}  // namespace cw::attest
