// The JSON bodies of cw-attest/1 (docs/attestation-protocol.md): one struct per body, a strict
// parser taking the raw body and a writer producing the canonical JSON.
//
// Every parse_* refuses, with one line naming the body and the field: a body over
// kMaxBodyBytes, anything but one JSON object, duplicate, unknown or missing fields, wrong
// JSON types, strings that are not strict base64 (base64.h), and decoded values of the wrong
// size. Parsers check form only; what the values mean (the version, whether a workload or
// session exists, whether a key is a valid point) is the caller's decision.
//
// Error classification for the server's reasons: a failure whose message contains
// kBadBase64 ("bad base64", see is_bad_base64) is a value that is not strict base64 and maps
// to `bad_base64`; every other parse failure is `bad_request`. The phrase cannot be forged by
// a client: messages never echo body text except field names reduced to [A-Za-z0-9_.-].
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "protocol/protocol.h"

namespace cw::attest::protocol {

inline constexpr size_t kMaxEvidenceBytes = 64 * 1024;
inline constexpr size_t kMaxCertificates = 8;
inline constexpr size_t kMaxCertificateBytes = 16 * 1024;
// A disk key is 32..64 bytes (admin API); the bound only keeps a wrapped reply sane.
inline constexpr size_t kMaxWrappedKeyBytes = 1024;

// True when a parse_* (or base64_decode) error is about base64 text (reason bad_base64).
bool is_bad_base64(const Error& error);

// POST /cw/v1/auth request. `workload` must be a valid workload id and `tee` a known name;
// `version` only has to be a string (the server answers bad_version for the wrong one).
struct AuthRequest {
    std::string version;
    std::string workload;
    Tee tee = Tee::Sim;
};
Result<AuthRequest> parse_auth_request(std::string_view body);
std::string to_json(const AuthRequest& message);

struct AuthResponse {
    std::string session;  // 64 lowercase hex
    std::array<uint8_t, kNonceSize> nonce{};
    uint32_t expires_in = 0;
};
Result<AuthResponse> parse_auth_response(std::string_view body);
std::string to_json(const AuthResponse& message);

// POST /cw/v1/attest request. Evidence is 1..64 KiB; at most 8 certificates of 1..16 KiB
// (omitted from the JSON when empty).
struct AttestRequest {
    std::string session;  // 64 lowercase hex
    std::array<uint8_t, kTeePublicKeySize> tee_pubkey{};
    std::vector<uint8_t> evidence;
    std::vector<std::vector<uint8_t>> certificates;
};
Result<AttestRequest> parse_attest_request(std::string_view body);
std::string to_json(const AttestRequest& message);

struct AttestResponse {
    std::string token;  // 64 lowercase hex
    uint32_t expires_in = 0;
};
Result<AttestResponse> parse_attest_response(std::string_view body);
std::string to_json(const AttestResponse& message);

// GET /cw/v1/resource/disk-key reply (key_wrap.h). "alg" must equal kKeyWrapAlg; ciphertext
// is 1..kMaxWrappedKeyBytes.
struct WrappedKey {
    std::array<uint8_t, kTeePublicKeySize> epk{};
    std::array<uint8_t, 12> iv{};
    std::vector<uint8_t> ciphertext;
    std::array<uint8_t, 16> tag{};
};
Result<WrappedKey> parse_wrapped_key(std::string_view body);
std::string to_json(const WrappedKey& message);

// Every refusal's body. `error` is a reason code ([a-z0-9_], 1..64 characters); `detail` is
// optional and omitted from the JSON when empty.
struct ErrorBody {
    std::string error;
    std::string message;
    std::string detail;
};
Result<ErrorBody> parse_error_body(std::string_view body);
std::string to_json(const ErrorBody& message);

}  // namespace cw::attest::protocol
