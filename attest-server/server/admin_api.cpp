#include "server/admin_api.h"

#include <charconv>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "evidence/x509/digest.h"
#include "protocol/base64.h"
#include "protocol/protocol.h"
#include "server/guest_api.h"

namespace cw::attest::server {

namespace proto = cw::attest::protocol;
using nlohmann::json;

namespace {

constexpr std::string_view kWorkloadsPath = "/cw/v1/admin/workloads";
constexpr std::string_view kAuditPath = "/cw/v1/admin/audit";
constexpr size_t kMinDiskKey = 32;
constexpr size_t kMaxDiskKey = 64;
constexpr size_t kMaxAuditLimit = 10000;

bool authorized(const ServerContext& context, const HttpRequest& request) {
    std::string_view token = bearer_token(request.authorization);
    if (token.empty())
        return false;
    auto digest = sha256({reinterpret_cast<const uint8_t*>(token.data()), token.size()});
    return CRYPTO_memcmp(digest.data(), context.admin_token_sha256.data(), digest.size()) == 0;
}

std::string admin_actor(const HttpRequest& request) {
    return "admin " + request.peer;
}

// PUT body: {"policy": {...}, "disk_key": "<base64>"}; nothing else.
HttpResponse put_workload(ServerContext& context, const HttpRequest& request, const std::string& id) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return error_response(400, "bad_request", "workload registration: body is not a JSON object");
    for (const auto& [key, value] : body.items()) {
        if (key != "policy" && key != "disk_key")
            return error_response(400, "bad_request", "workload registration: unknown field \"" + key + "\"");
    }
    if (!body.contains("policy") || !body["policy"].is_object())
        return error_response(400, "bad_request", "workload registration: field \"policy\" must be an object");
    if (!body.contains("disk_key") || !body["disk_key"].is_string())
        return error_response(400, "bad_request", "workload registration: field \"disk_key\" must be a base64 string");
    auto workload_policy = policy::parse_workload_policy(body["policy"].dump());
    if (!workload_policy)
        return error_response(400, "bad_request", "workload registration: " + workload_policy.error().to_string());
    auto key = proto::base64_decode(body["disk_key"].get_ref<const std::string&>(), kMaxDiskKey);
    if (!key)
        return error_response(400, "bad_base64", "workload registration: field \"disk_key\": " + key.error().to_string());
    if (key->size() < kMinDiskKey) {
        OPENSSL_cleanse(key->data(), key->size());
        return error_response(400, "bad_request", "workload registration: field \"disk_key\": expected 32 to 64 bytes, got " +
                                                      std::to_string(key->size()));
    }
    auto outcome = context.store.put_workload(id, policy::workload_policy_to_json(workload_policy.value()), key.value(),
                                              context.sessions.now());
    OPENSSL_cleanse(key->data(), key->size());
    if (!outcome)
        return internal_error("register '" + id + "': " + outcome.error().to_string());
    bool created = outcome.value() == store::PutOutcome::Created;
    (void)audit(context, admin_actor(request), created ? "register" : "update", id, "ok");
    return json_response(created ? 201 : 200, json{{"id", id}, {"created", created}}.dump());
}

HttpResponse get_workload(ServerContext& context, const std::string& id) {
    auto record = context.store.get_workload(id);
    if (!record)
        return internal_error("show '" + id + "': " + record.error().to_string());
    if (!record.value())
        return error_response(404, "unknown_workload", "workload '" + id + "' is not registered");
    const auto& r = *record.value();
    json reply = {{"id", r.id}, {"policy", json::parse(r.policy_json, nullptr, false)}, {"created", r.created},
                  {"updated", r.updated}};
    return json_response(200, reply.dump());
}

HttpResponse delete_workload(ServerContext& context, const HttpRequest& request, const std::string& id) {
    auto deleted = context.store.delete_workload(id);
    if (!deleted)
        return internal_error("delete '" + id + "': " + deleted.error().to_string());
    if (!deleted.value())
        return error_response(404, "unknown_workload", "workload '" + id + "' is not registered");
    (void)audit(context, admin_actor(request), "delete", id, "ok");
    return {204, "", "application/json", {}};
}

HttpResponse list_workloads(ServerContext& context) {
    auto list = context.store.list_workloads();
    if (!list)
        return internal_error("list: " + list.error().to_string());
    json workloads = json::array();
    for (const auto& w : list.value())
        workloads.push_back({{"id", w.id}, {"created", w.created}, {"updated", w.updated}});
    return json_response(200, json{{"workloads", workloads}}.dump());
}

HttpResponse list_audit(ServerContext& context, const HttpRequest& request) {
    size_t limit = 100;
    if (std::string_view text = query_param(request.target, "limit"); !text.empty()) {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (ec != std::errc{} || end != text.data() + text.size() || limit == 0 || limit > kMaxAuditLimit)
            return error_response(400, "bad_request", "limit: expected 1 to " + std::to_string(kMaxAuditLimit));
    }
    auto events = context.store.list_audit(limit);
    if (!events)
        return internal_error("audit: " + events.error().to_string());
    json list = json::array();
    for (const auto& e : events.value()) {
        list.push_back({{"time", e.time}, {"actor", e.actor}, {"action", e.action}, {"workload", e.workload},
                        {"reason", e.reason}, {"detail", e.detail}});
    }
    return json_response(200, json{{"events", list}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

HttpResponse handle_admin(ServerContext& context, const HttpRequest& request) {
    if (!authorized(context, request))
        return error_response(401, "unauthorized", "a valid admin token is required (Authorization: Bearer)");
    std::string_view path = target_path(request.target);
    const std::string& method = request.method;
    if (path == kAuditPath)
        return method == "GET" ? list_audit(context, request)
                               : error_response(405, "method_not_allowed", "audit: GET only");
    if (path == kWorkloadsPath)
        return method == "GET" ? list_workloads(context)
                               : error_response(405, "method_not_allowed", "workloads: GET only");
    if (path.size() > kWorkloadsPath.size() + 1 && path.substr(0, kWorkloadsPath.size() + 1) == std::string(kWorkloadsPath) + "/") {
        std::string id(path.substr(kWorkloadsPath.size() + 1));
        if (!proto::valid_workload_id(id))
            return error_response(400, "bad_request", "workload id: 1 to 128 characters of [a-z0-9._-], starting with [a-z0-9]");
        if (method == "PUT")
            return put_workload(context, request, id);
        if (method == "GET")
            return get_workload(context, id);
        if (method == "DELETE")
            return delete_workload(context, request, id);
        return error_response(405, "method_not_allowed", "workload: PUT, GET or DELETE");
    }
    return error_response(404, "not_found", "no such admin resource");
}

}  // namespace cw::attest::server
