// The guest side of cw-attest/1 (docs/attestation-protocol.md): auth -> attest -> disk key.
// Each handler validates everything it is sent, refuses with the protocol's reason codes, and
// audits every refusal after the request parsed and every release.
//
// Trust: nothing in a request. A key leaves only wrapped to the public key that was bound into
// REPORT_DATA of evidence that verified and satisfied the workload's registered policy.
#pragma once

#include "server/http_types.h"
#include "server/server_context.h"

namespace cw::attest::server {

HttpResponse handle_auth(ServerContext& context, const HttpRequest& request);
HttpResponse handle_attest(ServerContext& context, const HttpRequest& request);
HttpResponse handle_disk_key(ServerContext& context, const HttpRequest& request);

// The bearer credential of an Authorization header, "" when there is none.
std::string_view bearer_token(std::string_view authorization);

}  // namespace cw::attest::server
