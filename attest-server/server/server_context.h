// What the request handlers share: the store, the protocol state, metrics, the appraisal
// configuration and the admin credential. Owned by `serve` (cli/serve_command.cpp), which
// outlives every handler call.
#pragma once

#include <array>
#include <cstdint>

#include "policy/appraisal.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/session_table.h"
#include "store/store.h"

namespace cw::attest::server {

struct ServerContext {
    store::Store& store;
    SessionTable& sessions;
    Metrics& metrics;
    policy::AppraisalConfig appraisal;
    // SHA-256 of the admin bearer token; the token itself is never held.
    std::array<uint8_t, 32> admin_token_sha256{};
};

// Appends one audit event; failures are reported on stderr (the caller decides whether the
// action may proceed without its record: a key release may not).
// A 500 for a failure of the server itself (store, crypto), also reported on stderr.
HttpResponse internal_error(const std::string& what);

Result<void> audit(ServerContext& context, std::string actor, std::string action, std::string workload,
                   std::string reason, std::string detail = {});

}  // namespace cw::attest::server
