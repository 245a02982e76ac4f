// https://HOST[:PORT], the form of workload.json's attestation_url and of cwrun --attest-url.
// The guest checks the server's certificate for the measured HOST; the host side only needs
// to know where to forward the guest's vsock connection (docs/disk-format.md "workload.json").
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace cw::cwrun {

struct AttestUrl {
    std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
    uint16_t port = 443;
};

// `what` names the source in errors ("workload.json attestation_url", "--attest-url").
[[nodiscard]] Result<AttestUrl> parse_attest_url(const std::string& url, const std::string& what);

// The cw_add_vsock_forward spec sending guest connections to host vsock port `vsock_port`
// to the TCP address `to`: "PORT=HOST:TCPPORT" (IPv6 in brackets). The VMM resolves names.
[[nodiscard]] std::string vsock_forward_spec(uint32_t vsock_port, const AttestUrl& to);

}  // namespace cw::cwrun
