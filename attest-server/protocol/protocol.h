// cw-attest/1 (docs/attestation-protocol.md): the constants, names and identifier rules the
// attestation server and the guest share. Pure; no I/O except the CSPRNG in random_hex_id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace cw::attest::protocol {

inline constexpr std::string_view kVersion = "cw-attest/1";

// Bodies larger than this are refused before parsing (413 body_too_large on the server).
inline constexpr size_t kMaxBodyBytes = 256 * 1024;
inline constexpr size_t kNonceSize = 32;
// A P-384 public key as a SEC1 uncompressed point: 0x04 || X (48) || Y (48).
inline constexpr size_t kTeePublicKeySize = 97;
inline constexpr uint32_t kSessionTtlSeconds = 60;
inline constexpr uint32_t kTokenTtlSeconds = 60;

// The one key-wrapping scheme of cw-attest/1 (key_wrap.h), named in every disk-key reply.
inline constexpr std::string_view kKeyWrapAlg = "ECDH-P384-HKDF-SHA384-A256GCM";

inline constexpr std::string_view kAuthPath = "/cw/v1/auth";
inline constexpr std::string_view kAttestPath = "/cw/v1/attest";
inline constexpr std::string_view kDiskKeyPath = "/cw/v1/resource/disk-key";

enum class Tee { Snp, Tdx, Sim };

// "snp", "tdx", "sim": the wire names.
std::string_view tee_name(Tee tee);
// The TEE for a wire name (exact, lowercase), or nullopt.
std::optional<Tee> parse_tee(std::string_view name);

// 1 to 128 characters from [a-z0-9._-], starting with [a-z0-9]: safe in paths, logs and URLs.
bool valid_workload_id(std::string_view id);

// Session ids and tokens: 64 lowercase hex characters (32 bytes).
inline constexpr size_t kHexIdLength = 64;
bool valid_hex_id(std::string_view id);
// 32 bytes from OpenSSL's CSPRNG as 64 lowercase hex; an error if the RNG fails (never a
// predictable id).
Result<std::string> random_hex_id();

}  // namespace cw::attest::protocol
