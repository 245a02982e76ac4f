// Registration: hands the workload's policy and disk secret to the attestation server through
// its admin API (PUT /cw/v1/admin/workloads/<id>, docs/attestation-protocol.md), over TLS
// verified against --attest-ca only. The secret travels base64 in that one request body and
// nowhere else; the body's buffers are wiped once sent (best effort: TLS library buffers are
// out of reach). The admin token is read from a file and wiped likewise.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "disk/secret.h"

namespace cw::oci {

// https://HOST[:PORT] (default 443), HOST a name, an IPv4 address or [IPv6]; nothing after.
struct AttestTarget {
    std::string url;   // as given (it goes into workload.json)
    std::string host;  // without brackets: SNI and the certificate check
    uint16_t port = 443;
    std::string ca_pem;
};

[[nodiscard]] Result<AttestTarget> parse_attest_url(const std::string& url);
// A PEM file of at most 64 KiB holding at least one certificate.
[[nodiscard]] Result<std::string> read_ca_pem(const std::string& path);

// The bearer token, one line; wiped on destruction.
class AdminToken {
public:
    static Result<AdminToken> read(const std::string& path);
    AdminToken(AdminToken&& other) noexcept;
    AdminToken(const AdminToken&) = delete;
    AdminToken& operator=(const AdminToken&) = delete;
    AdminToken& operator=(AdminToken&&) = delete;
    ~AdminToken();
    [[nodiscard]] const std::string& text() const { return m_text; }

private:
    explicit AdminToken(std::string text) : m_text(std::move(text)) {}
    std::string m_text;
};

// Checks, before the long build, that the server is reachable, trusted and takes the token
// (GET /cw/v1/admin/workloads).
[[nodiscard]] Result<void> check_admin_access(const AttestTarget& target, const AdminToken& token);

// The policy oci2cw registers for `tee` ("sim" or "snp"): that TEE only, the launch
// measurement (96 hex) and HOST_DATA (64 hex); for snp also no debug and VMPL 0. It sets
// no minimum TCB: the admin API tightens a registered policy (docs/attestation-protocol.md).
[[nodiscard]] Result<std::string> workload_policy_json(const std::string& tee, const std::string& measurement,
                                                       const std::string& host_data);

// Registers (or updates) `workload_id` with workload_policy_json(tee, ...).
// Returns "created" or "updated".
[[nodiscard]] Result<std::string> register_workload(const AttestTarget& target, const AdminToken& token,
                                                    const std::string& tee,
                                                        const std::string& workload_id, const std::string& measurement,
                                                        const std::string& host_data, const disk::Secret& secret);

}  // namespace cw::oci
