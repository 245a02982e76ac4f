#include "register_stage.h"

#include <openssl/crypto.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "evidence/x509/cert.h"
#include "protocol/base64.h"
#include "protocol/client.h"
#include "protocol/tls_http.h"
#include "workload/server_url.h"

namespace cw::oci {

namespace {

namespace proto = attest::protocol;
using proto::detail::HttpMethod;
using proto::detail::HttpReply;
using proto::detail::TlsHttpConnection;

constexpr uint64_t kMaxCaBytes = 64 * 1024;
constexpr uint64_t kMaxTokenBytes = 4096;
constexpr auto kTimeout = std::chrono::seconds(30);
constexpr std::string_view kAdminWorkloads = "/cw/v1/admin/workloads";

void wipe(std::string& s) {
    OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}

// One request on a fresh connection (registration makes two, minutes apart).
Result<HttpReply> admin_request(const AttestTarget& target, const AdminToken& token, HttpMethod method,
                                std::string_view path, std::string_view body) {
    auto deadline = std::chrono::steady_clock::now() + kTimeout;
    std::string where = "attestation server " + target.url;
    auto connect = CW_TRY(proto::tcp_connector(target.host, target.port,
                                               std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout)));
    UniqueFd fd = CW_TRY(connect().context(where + ": connecting"));
    auto connection = CW_TRY(TlsHttpConnection::open(std::move(fd), {target.host, target.ca_pem}, deadline)
                                 .context(where));
    return connection->request(method, path, body, token.text(), deadline).context(where);
}

}  // namespace

Result<AttestTarget> parse_attest_url(const std::string& url) {
    auto server = workload::parse_server_url(url);
    if (!server)
        return Error::msg("--attest-url \"" + proto::detail::one_line(url) + "\": " + server.error().message());
    AttestTarget t;
    t.url = server->url;
    t.host = server->host;
    t.port = server->port;
    return t;
}

Result<std::string> read_ca_pem(const std::string& path) {
    auto bytes = CW_TRY(attest::read_file_bytes(path, kMaxCaBytes).context("--attest-ca"));
    std::string pem(bytes.begin(), bytes.end());
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return Error::msg("--attest-ca " + path + ": no PEM certificate in it");
    return pem;
}

Result<AdminToken> AdminToken::read(const std::string& path) {
    auto bytes = CW_TRY(attest::read_file_bytes(path, kMaxTokenBytes).context("--admin-token-file"));
    std::string text(bytes.begin(), bytes.end());
    OPENSSL_cleanse(bytes.data(), bytes.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    AdminToken token(std::move(text));
    if (token.m_text.empty())
        return Error::msg("--admin-token-file " + path + ": empty");
    for (char c : token.m_text) {
        if (c <= 0x20 || c == 0x7F)
            return Error::msg("--admin-token-file " + path + ": expected one line of printable characters");
    }
    return token;
}

AdminToken::AdminToken(AdminToken&& other) noexcept : m_text(std::move(other.m_text)) { wipe(other.m_text); }
AdminToken::~AdminToken() { wipe(m_text); }

Result<void> check_admin_access(const AttestTarget& target, const AdminToken& token) {
    HttpReply reply = CW_TRY(admin_request(target, token, HttpMethod::Get, kAdminWorkloads, ""));
    if (reply.status != 200)
        return proto::detail::refusal_error(reply, "the admin token check");
    return {};
}

Result<std::string> workload_policy_json(const std::string& tee, const std::string& measurement,
                                         const std::string& host_data) {
    nlohmann::json policy;
    if (tee == "sim")
        policy = {{"tee", {"sim"}}, {"sim", {{"measurements", {measurement}}, {"host_data", host_data}}}};
    else if (tee == "snp")
        policy = {{"tee", {"snp"}},
                  {"snp", {{"measurements", {measurement}}, {"allow_debug", false}, {"vmpl", 0}, {"host_data", host_data}}}};
    else
        return Error::msg("no workload policy for --tee " + tee);
    return policy.dump();
}

Result<std::string> register_workload(const AttestTarget& target, const AdminToken& token, const std::string& tee,
                                      const std::string& workload_id, const std::string& measurement,
                                      const std::string& host_data, const disk::Secret& secret) {
    // The body is assembled by hand around the key so that its only copies are `key` and
    // `body` (reserved up front, never reallocated), both wiped below.
    std::string policy_text = CW_TRY(workload_policy_json(tee, measurement, host_data));
    std::string key = proto::base64_encode(secret.span());
    std::string body;
    body.reserve(policy_text.size() + key.size() + 64);
    body += "{\"disk_key\":\"";
    body += key;
    body += "\",\"policy\":";
    body += policy_text;
    body += "}";
    wipe(key);
    auto reply = admin_request(target, token, HttpMethod::Put, std::string(kAdminWorkloads) + "/" + workload_id, body);
    wipe(body);
    if (!reply.ok())
        return std::move(reply).error();
    if (reply->status == 201)
        return std::string("created");
    if (reply->status == 200)
        return std::string("updated");
    return proto::detail::refusal_error(*reply, "registration");
}

}  // namespace cw::oci
