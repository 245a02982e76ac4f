// The attestation server's address as workload.json and the command lines spell it:
// https://HOST[:PORT], HOST a DNS name, an IPv4 address or [IPv6], port 443 by default,
// nothing after it (no path, query or user part). oci2cw writes it, cwrun forwards the
// guest's vsock port PORT to it, and guest-init checks the server certificate for HOST.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace cw::workload {

struct ServerUrl {
    std::string url;   // as given
    std::string host;  // without brackets: SNI and the certificate check
    uint16_t port = 443;
};

// Errors say what is wrong with the URL; callers add which option or field held it.
[[nodiscard]] Result<ServerUrl> parse_server_url(std::string_view url);

}  // namespace cw::workload
