// The operator side (docs/attestation-protocol.md, "Admin API"): register, update, list,
// show and delete workloads, and read the audit log. Every request needs the admin bearer
// token; only its SHA-256 is held, compared in constant time.
//
// Trust: the holder of the admin token decides which measurements get which key. Replies
// never contain key material; audit records never contain keys or tokens.
#pragma once

#include "server/http_types.h"
#include "server/server_context.h"

namespace cw::attest::server {

// Handles every request under /cw/v1/admin/.
HttpResponse handle_admin(ServerContext& context, const HttpRequest& request);

}  // namespace cw::attest::server
