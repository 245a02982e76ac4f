// Signature primitives over raw evidence bytes: ECDSA with the raw r/s encodings hardware uses
// (AMD SNP: 72-byte little-endian fields; Intel DCAP: 64-byte big-endian r||s) and RSA-PSS.
// Certificate signatures are checked by chain.h, not here.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "evidence/x509/keys.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

enum class HashAlg { Sha256, Sha384 };
enum class ByteOrder { BigEndian, LittleEndian };

// DER SEQUENCE { INTEGER r, INTEGER s } from raw unsigned integers of the given byte order.
// Leading zero bytes (zero extension, e.g. SNP's 72-byte fields) are allowed; each integer
// must be non-zero and at most 72 bytes.
Result<std::vector<uint8_t>> ecdsa_raw_to_der(std::span<const uint8_t> r, std::span<const uint8_t> s, ByteOrder order);

// Verifies an ECDSA signature (r, s as raw integers) over `message`, hashing it with `hash`.
// The key must be an EC key on `curve`: a key on another curve is an error, not a retry.
Result<void> verify_ecdsa(const EVP_PKEY* key, EcCurve curve, HashAlg hash, std::span<const uint8_t> message,
                          std::span<const uint8_t> r, std::span<const uint8_t> s, ByteOrder order);

// Same, with the signature as r||s of two equal halves (Intel: 64 bytes, big-endian).
Result<void> verify_ecdsa_concat(const EVP_PKEY* key, EcCurve curve, HashAlg hash, std::span<const uint8_t> message,
                                 std::span<const uint8_t> rs, ByteOrder order);

// ECDSA signature as raw r and s, each zero-extended to `field_size` bytes in `order`.
struct EcdsaRawSignature {
    std::vector<uint8_t> r;
    std::vector<uint8_t> s;
};
Result<EcdsaRawSignature> sign_ecdsa(const EVP_PKEY* private_key, EcCurve curve, HashAlg hash,
                                     std::span<const uint8_t> message, size_t field_size, ByteOrder order);

// RSASSA-PSS with MGF1 using the same hash; salt_len -1 means "equal to the digest length".
Result<void> verify_rsa_pss(const EVP_PKEY* key, HashAlg hash, std::span<const uint8_t> message,
                            std::span<const uint8_t> signature, int salt_len = -1);

}  // namespace cw::attest
