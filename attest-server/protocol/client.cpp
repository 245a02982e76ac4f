#include "protocol/client.h"

#include <memory>

#include "protocol/binding.h"
#include "protocol/key_wrap.h"
#include "protocol/messages.h"
#include "protocol/tls_http.h"

namespace cw::attest::protocol {

namespace {

using detail::Deadline;
using detail::HttpReply;
using detail::TlsHttpConnection;

using detail::one_line;

Error refusal(const HttpReply& reply, std::string_view step) { return detail::refusal_error(reply, step); }

template <class T>
Result<T> expect(const HttpReply& reply, std::string_view step, Result<T> (*parse)(std::string_view)) {
    if (reply.status < 200 || reply.status > 299)
        return refusal(reply, step);
    return parse(reply.body).context("attestation server reply to " + std::string(step));
}

Result<void> check_config(const ClientConfig& config, const EvidenceProvider& evidence) {
    if (!config.connect)
        return Error::msg("no connector");
    if (!evidence)
        return Error::msg("no evidence provider");
    if (!valid_workload_id(config.workload))
        return Error::msg("workload \"" + one_line(config.workload) + "\" is not a workload id");
    return {};
}

// The guest's own evidence, bounded as the server will bound it (a clear local error instead
// of a refusal).
Result<void> check_evidence(const Evidence& evidence) {
    if (evidence.bytes.empty() || evidence.bytes.size() > kMaxEvidenceBytes)
        return Error::msg(std::to_string(evidence.bytes.size()) + " bytes of evidence (1 to " +
                          std::to_string(kMaxEvidenceBytes) + " allowed)");
    if (evidence.certificates.size() > kMaxCertificates)
        return Error::msg(std::to_string(evidence.certificates.size()) + " certificates (at most " +
                          std::to_string(kMaxCertificates) + ")");
    for (const auto& cert : evidence.certificates) {
        if (cert.empty() || cert.size() > kMaxCertificateBytes)
            return Error::msg("a certificate of " + std::to_string(cert.size()) + " bytes (1 to " +
                              std::to_string(kMaxCertificateBytes) + " allowed)");
    }
    return {};
}

}  // namespace

AttestClient::AttestClient(ClientConfig config) : m_config(std::move(config)) {}
AttestClient::~AttestClient() = default;

Result<HttpReply> AttestClient::exchange(std::string_view step, std::string_view target, std::string_view json,
                                         std::string_view bearer, Deadline deadline) {
    std::string where = "attestation server " + m_config.server_name + ": " + std::string(step);
    if (!m_connection) {
        UniqueFd fd = CW_TRY(m_config.connect().context(where + ": connecting"));
        m_connection = CW_TRY(
            TlsHttpConnection::open(std::move(fd), {m_config.server_name, m_config.ca_pem}, deadline).context(where));
    }
    auto reply = m_connection->exchange(target, json, bearer, deadline);
    if (!reply.ok() || !reply->keep_alive)
        m_connection.reset();  // the server closes (or the connection broke): reconnect next time
    return std::move(reply).context(where);
}

Result<std::vector<uint8_t>> AttestClient::fetch_disk_key(const EvidenceProvider& evidence) {
    CW_TRY(check_config(m_config, evidence).context("attestation client"));
    Deadline deadline = std::chrono::steady_clock::now() + m_config.timeout;

    AuthRequest auth_request{std::string(kVersion), m_config.workload, m_config.tee};
    HttpReply reply = CW_TRY(exchange("auth", kAuthPath, to_json(auth_request), "", deadline));
    AuthResponse auth = CW_TRY(expect(reply, "auth", &parse_auth_response));

    // The per-boot key: generated here, bound into the evidence, never stored.
    EvpPkeyPtr tee_key = CW_TRY(generate_tee_key());
    AttestRequest attest_request;
    attest_request.session = auth.session;
    attest_request.tee_pubkey = CW_TRY(encode_public_point(tee_key.get()));
    std::array<uint8_t, 64> report_data = report_data_binding(auth.nonce, attest_request.tee_pubkey);
    std::string getting = "getting " + std::string(tee_name(m_config.tee)) + " evidence";
    Evidence ev = CW_TRY(evidence(report_data).context(getting));
    CW_TRY(check_evidence(ev).context(getting));
    attest_request.evidence = std::move(ev.bytes);
    attest_request.certificates = std::move(ev.certificates);
    reply = CW_TRY(exchange("attest", kAttestPath, to_json(attest_request), "", deadline));
    AttestResponse attest = CW_TRY(expect(reply, "attest", &parse_attest_response));

    reply = CW_TRY(exchange("disk-key", kDiskKeyPath, "", attest.token, deadline));
    WrappedKey wrapped = CW_TRY(expect(reply, "disk-key", &parse_wrapped_key));
    return unwrap_key(tee_key.get(), wrapped, WrapContext{auth.nonce, m_config.workload});
}

Result<std::vector<uint8_t>> fetch_disk_key(const ClientConfig& config, const EvidenceProvider& evidence) {
    AttestClient client(config);
    return client.fetch_disk_key(evidence);
}

}  // namespace cw::attest::protocol
