// The disk-key wrapping of cw-attest/1 (ECDH-P384-HKDF-SHA384-A256GCM): the server wraps the
// workload's disk key to the guest's per-boot P-384 key, so the key is never in clear on the
// wire, not even inside TLS, and only the holder of the attested private key can open it.
//
//   epk  = a fresh server P-384 key pair per release (SEC1 uncompressed point)
//   Z    = ECDH(epk private, tee_pubkey): the 48-byte X coordinate
//   K    = HKDF-SHA384(IKM = Z, salt = nonce,
//                      info = "cw-attest/1 disk-key" || 0x00 || epk (97) || tee_pubkey (97)), 32 bytes
//   ciphertext || tag = AES-256-GCM(K, iv = 12 random bytes, AAD = workload id bytes)
//
// Binding the nonce (salt), both public keys (info) and the workload (AAD) means a reply only
// opens for the session and workload it was made for. Z and K are wiped after use.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/x509/openssl_ptr.h"
#include "protocol/messages.h"
#include "protocol/protocol.h"

namespace cw::attest::protocol {

inline constexpr std::string_view kKeyWrapLabel = "cw-attest/1 disk-key";

// A fresh P-384 key pair (the guest's per-boot key; never stored).
Result<EvpPkeyPtr> generate_tee_key();

// The SEC1 uncompressed point (0x04 || X || Y) of a P-384 key; refuses other keys and curves.
Result<std::array<uint8_t, kTeePublicKeySize>> encode_public_point(const EVP_PKEY* key);

// A P-384 public key from a SEC1 uncompressed point. Refuses any prefix but 0x04, coordinates
// not on the curve, and the point at infinity (OpenSSL's public-key check): an off-curve point
// would turn ECDH into an oracle on the other side's private key.
Result<EvpPkeyPtr> decode_public_point(std::span<const uint8_t, kTeePublicKeySize> point);

struct WrapContext {
    std::span<const uint8_t, kNonceSize> nonce;  // the session's nonce (HKDF salt)
    std::string_view workload;                    // the workload id (GCM AAD)
};

// Server side: wraps `key` (1..kMaxWrappedKeyBytes) to the guest's P-384 public key with a fresh
// ephemeral key and IV.
Result<WrappedKey> wrap_key(const EVP_PKEY* tee_public, std::span<const uint8_t> key, const WrapContext& context);

// Guest side: opens a wrapped key with the per-boot private key. A wrong key, nonce, workload or
// any modified byte fails with "disk key: authentication failed ...". The caller owns (and
// should wipe) the returned key.
Result<std::vector<uint8_t>> unwrap_key(const EVP_PKEY* tee_private, const WrappedKey& wrapped,
                                        const WrapContext& context);

}  // namespace cw::attest::protocol
