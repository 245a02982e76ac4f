// Maps (method, path) to a handler, and measures: every request is counted by route and
// status and timed, every refusal counted by its reason code.
#pragma once

#include "server/http_types.h"
#include "server/server_context.h"

namespace cw::attest::server {

HttpResponse route_request(ServerContext& context, const HttpRequest& request);

}  // namespace cw::attest::server
