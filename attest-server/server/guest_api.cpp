#include "server/guest_api.h"

#include <algorithm>

#include "protocol/binding.h"
#include "protocol/key_wrap.h"
#include "protocol/messages.h"
#include "protocol/protocol.h"

namespace cw::attest::server {

namespace proto = cw::attest::protocol;

namespace {

std::string guest_actor(const HttpRequest& request) {
    return "guest " + request.peer;
}

// A request body the protocol library refused: bad base64 is its own reason code.
HttpResponse malformed(const Error& error) {
    return error_response(400, proto::is_bad_base64(error) ? "bad_base64" : "bad_request", error.to_string());
}

// Refuses and records why. The audit record names the workload when it is known.
HttpResponse refuse(ServerContext& context, const HttpRequest& request, const std::string& workload, unsigned status,
                    std::string_view reason, const std::string& message, std::string_view detail = {}) {
    (void)audit(context, guest_actor(request), "refuse", workload, std::string(reason),
                detail.empty() ? message : std::string(detail) + ": " + message);
    return error_response(status, reason, message, detail);
}

}  // namespace

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() || authorization.substr(0, kScheme.size()) != kScheme)
        return {};
    return authorization.substr(kScheme.size());
}

HttpResponse handle_auth(ServerContext& context, const HttpRequest& request) {
    auto parsed = proto::parse_auth_request(request.body);
    if (!parsed)
        return malformed(parsed.error());
    const auto& auth = parsed.value();
    if (auth.version != proto::kVersion)
        return error_response(400, "bad_version", "protocol version '" + auth.version + "' is not supported; this server speaks " +
                                                      std::string(proto::kVersion));
    auto record = context.store.get_workload(auth.workload);
    if (!record)
        return internal_error("auth: " + record.error().to_string());
    if (!record.value())
        return refuse(context, request, auth.workload, 404, "unknown_workload",
                      "workload '" + auth.workload + "' is not registered");
    auto workload_policy = policy::parse_workload_policy(record.value()->policy_json);
    if (!workload_policy)
        return internal_error("auth: stored policy of '" + auth.workload + "': " + workload_policy.error().to_string());
    const auto& tees = workload_policy->tees;
    if (std::find(tees.begin(), tees.end(), auth.tee) == tees.end())
        return refuse(context, request, auth.workload, 403, "tee_not_allowed",
                      "workload '" + auth.workload + "' does not accept TEE '" + std::string(proto::tee_name(auth.tee)) + "'");

    auto session = context.sessions.open_session(auth.workload, std::string(proto::tee_name(auth.tee)));
    if (!session)
        return internal_error("auth: " + session.error().to_string());
    if (!session.value())
        return error_response(503, "busy", "too many live sessions; retry shortly");
    proto::AuthResponse reply{session.value()->first, session.value()->second.nonce,
                              static_cast<uint32_t>(context.sessions.session_ttl())};
    return json_response(200, proto::to_json(reply));
}

HttpResponse handle_attest(ServerContext& context, const HttpRequest& request) {
    auto parsed = proto::parse_attest_request(request.body);
    if (!parsed)
        return malformed(parsed.error());
    const auto& attest = parsed.value();

    auto taken = context.sessions.take_session(attest.session);
    if (auto* error = std::get_if<TakeError>(&taken)) {
        switch (*error) {
        case TakeError::Unknown:
            return refuse(context, request, "", 403, "unknown_session", "no such session (it may have been dropped after expiring)");
        case TakeError::Used:
            return refuse(context, request, "", 403, "nonce_replayed", "this session's nonce was already used");
        case TakeError::Expired:
            return refuse(context, request, "", 403, "session_expired", "the session expired; start again with auth");
        }
    }
    const Session& session = std::get<Session>(taken);

    auto record = context.store.get_workload(session.workload);
    if (!record)
        return internal_error("attest: " + record.error().to_string());
    if (!record.value())
        return refuse(context, request, session.workload, 404, "unknown_workload",
                      "workload '" + session.workload + "' was deleted during the session");
    auto workload_policy = policy::parse_workload_policy(record.value()->policy_json);
    if (!workload_policy)
        return internal_error("attest: stored policy of '" + session.workload + "': " + workload_policy.error().to_string());

    auto tee_public = proto::decode_public_point(attest.tee_pubkey);
    if (!tee_public)
        return refuse(context, request, session.workload, 400, "bad_public_key", tee_public.error().to_string());

    auto kind = proto::parse_tee(session.tee);
    if (!kind)
        return internal_error("attest: session TEE '" + session.tee + "' unknown");
    auto expected = proto::report_data_binding(session.nonce, attest.tee_pubkey);
    policy::EvidenceInput evidence{*kind, attest.evidence, attest.certificates};
    policy::Appraisal appraisal = policy::appraise(evidence, workload_policy.value(), expected, context.appraisal);
    if (!appraisal.ok) {
        return refuse(context, request, session.workload, 403, appraisal.reason, appraisal.message, appraisal.detail);
    }

    Token token;
    token.workload = session.workload;
    token.nonce = session.nonce;
    token.tee_pubkey = attest.tee_pubkey;
    token.evidence_summary = "tee " + session.tee + (appraisal.tcb_status.empty() ? "" : ", tcb " + appraisal.tcb_status);
    auto id = context.sessions.issue_token(std::move(token));
    if (!id)
        return internal_error("attest: " + id.error().to_string());
    if (!id.value())
        return error_response(503, "busy", "too many live tokens; retry shortly");
    proto::AttestResponse reply{*id.value(), static_cast<uint32_t>(context.sessions.token_ttl())};
    return json_response(200, proto::to_json(reply));
}

HttpResponse handle_disk_key(ServerContext& context, const HttpRequest& request) {
    std::string token_id(bearer_token(request.authorization));
    if (token_id.empty())
        return error_response(401, "unauthorized", "an attestation token is required (Authorization: Bearer)");
    auto found = context.sessions.find_token(token_id);
    if (auto* error = std::get_if<TakeError>(&found)) {
        if (*error == TakeError::Expired)
            return refuse(context, request, "", 401, "token_expired", "the attestation token expired; attest again");
        return refuse(context, request, "", 401, "token_invalid", "unknown attestation token");
    }
    const Token& token = std::get<Token>(found);
    auto record = context.store.get_workload(token.workload);
    if (!record)
        return internal_error("disk key: " + record.error().to_string());
    if (!record.value())
        return refuse(context, request, token.workload, 404, "unknown_workload",
                      "workload '" + token.workload + "' was deleted after attestation");
    auto tee_public = proto::decode_public_point(token.tee_pubkey);
    if (!tee_public)
        return internal_error("disk key: " + tee_public.error().to_string());
    proto::WrapContext wrap{token.nonce, token.workload};
    auto wrapped = proto::wrap_key(tee_public.value().get(), record.value()->disk_key, wrap);
    if (!wrapped)
        return internal_error("disk key: " + wrapped.error().to_string());
    // No audit record, no key: the release must be accounted for.
    if (auto logged = audit(context, guest_actor(request), "release", token.workload, "ok", token.evidence_summary); !logged)
        return internal_error("disk key: audit log: " + logged.error().to_string());
    context.metrics.record_release();
    return json_response(200, proto::to_json(wrapped.value()));
}

}  // namespace cw::attest::server
