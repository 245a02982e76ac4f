#include "protocol/messages.h"

#include "protocol/base64.h"
#include "protocol/json_fields.h"

namespace cw::attest::protocol {

using detail::Json;
using detail::ObjectReader;

namespace {

constexpr int kFlat = 1;         // scalar members only
constexpr int kWithArrays = 2;   // members may be arrays of scalars

bool valid_reason_code(std::string_view code) {
    constexpr size_t kMaxReasonLength = 64;
    if (code.empty() || code.size() > kMaxReasonLength)
        return false;
    for (char c : code) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

}  // namespace

bool is_bad_base64(const Error& error) { return error.message().find(kBadBase64) != std::string::npos; }

Result<AuthRequest> parse_auth_request(std::string_view body) {
    constexpr std::string_view kWhat = "auth request";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kFlat));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"version", "workload", "tee"}));
    AuthRequest out;
    out.version = CW_TRY(r.string("version"));
    out.workload = CW_TRY(r.string("workload"));
    if (!valid_workload_id(out.workload))
        return r.field_error("workload", "not a workload id (1 to 128 of [a-z0-9._-], starting with [a-z0-9])");
    std::string tee = CW_TRY(r.string("tee"));
    std::optional<Tee> parsed = parse_tee(tee);
    if (!parsed)
        return r.field_error("tee", "unknown TEE (expected \"snp\", \"tdx\" or \"sim\")");
    out.tee = *parsed;
    return out;
}

std::string to_json(const AuthRequest& message) {
    return detail::dump(Json{{"version", message.version}, {"workload", message.workload},
                             {"tee", std::string(tee_name(message.tee))}});
}

Result<AuthResponse> parse_auth_response(std::string_view body) {
    constexpr std::string_view kWhat = "auth response";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kFlat));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"session", "nonce", "expires_in"}));
    AuthResponse out;
    out.session = CW_TRY(r.hex_id("session"));
    out.nonce = CW_TRY(r.fixed_bytes<kNonceSize>("nonce"));
    out.expires_in = CW_TRY(r.uint32("expires_in"));
    return out;
}

std::string to_json(const AuthResponse& message) {
    return detail::dump(Json{{"session", message.session}, {"nonce", base64_encode(message.nonce)},
                             {"expires_in", message.expires_in}});
}

Result<AttestRequest> parse_attest_request(std::string_view body) {
    constexpr std::string_view kWhat = "attest request";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kWithArrays));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"session", "tee_pubkey", "evidence", "certificates"}));
    AttestRequest out;
    out.session = CW_TRY(r.hex_id("session"));
    out.tee_pubkey = CW_TRY(r.fixed_bytes<kTeePublicKeySize>("tee_pubkey"));
    out.evidence = CW_TRY(r.bytes("evidence", kMaxEvidenceBytes));
    out.certificates = CW_TRY(r.optional_bytes_array("certificates", kMaxCertificates, kMaxCertificateBytes));
    return out;
}

std::string to_json(const AttestRequest& message) {
    Json doc{{"session", message.session}, {"tee_pubkey", base64_encode(message.tee_pubkey)},
             {"evidence", base64_encode(message.evidence)}};
    if (!message.certificates.empty()) {
        Json certs = Json::array();
        for (const auto& cert : message.certificates)
            certs.push_back(base64_encode(cert));
        doc["certificates"] = std::move(certs);
    }
    return detail::dump(doc);
}

Result<AttestResponse> parse_attest_response(std::string_view body) {
    constexpr std::string_view kWhat = "attest response";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kFlat));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"token", "expires_in"}));
    AttestResponse out;
    out.token = CW_TRY(r.hex_id("token"));
    out.expires_in = CW_TRY(r.uint32("expires_in"));
    return out;
}

std::string to_json(const AttestResponse& message) {
    return detail::dump(Json{{"token", message.token}, {"expires_in", message.expires_in}});
}

Result<WrappedKey> parse_wrapped_key(std::string_view body) {
    constexpr std::string_view kWhat = "disk key";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kFlat));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"alg", "epk", "iv", "ciphertext", "tag"}));
    std::string alg = CW_TRY(r.string("alg"));
    if (alg != kKeyWrapAlg)
        return r.field_error("alg", "unsupported algorithm (expected \"" + std::string(kKeyWrapAlg) + "\")");
    WrappedKey out;
    out.epk = CW_TRY(r.fixed_bytes<kTeePublicKeySize>("epk"));
    out.iv = CW_TRY(r.fixed_bytes<12>("iv"));
    out.ciphertext = CW_TRY(r.bytes("ciphertext", kMaxWrappedKeyBytes));
    out.tag = CW_TRY(r.fixed_bytes<16>("tag"));
    return out;
}

std::string to_json(const WrappedKey& message) {
    return detail::dump(Json{{"alg", std::string(kKeyWrapAlg)},
                             {"epk", base64_encode(message.epk)},
                             {"iv", base64_encode(message.iv)},
                             {"ciphertext", base64_encode(message.ciphertext)},
                             {"tag", base64_encode(message.tag)}});
}

Result<ErrorBody> parse_error_body(std::string_view body) {
    constexpr std::string_view kWhat = "error body";
    Json doc = CW_TRY(detail::parse_object(kWhat, body, kFlat));
    ObjectReader r(kWhat, doc);
    CW_TRY(r.allow_only({"error", "message", "detail"}));
    ErrorBody out;
    out.error = CW_TRY(r.string("error"));
    if (!valid_reason_code(out.error))
        return r.field_error("error", "not a reason code (1 to 64 of [a-z0-9_])");
    out.message = CW_TRY(r.string("message"));
    out.detail = CW_TRY(r.optional_string("detail")).value_or("");
    return out;
}

std::string to_json(const ErrorBody& message) {
    Json doc{{"error", message.error}, {"message", message.message}};
    if (!message.detail.empty())
        doc["detail"] = message.detail;
    return detail::dump(doc);
}

}  // namespace cw::attest::protocol
