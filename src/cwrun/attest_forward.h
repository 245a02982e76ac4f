// Where the host sends the guest's connection to the attestation server. The guest connects to
// host vsock port PORT of the measured attestation_url https://HOST:PORT and checks the server's
// certificate for HOST; cwrun only forwards that vsock port to a TCP address (docs/guest-abi.md).
#pragma once

#include <cstdint>
#include <string>

#include "workload/server_url.h"

namespace cw::cwrun {

// The cw_add_vsock_forward spec sending guest connections to host vsock port `vsock_port`
// to the TCP address `to`: "PORT=HOST:TCPPORT" (IPv6 in brackets). The VMM resolves names.
[[nodiscard]] std::string vsock_forward_spec(uint32_t vsock_port, const workload::ServerUrl& to);

}  // namespace cw::cwrun
