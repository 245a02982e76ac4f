#include "server/server_context.h"

#include <cstdio>

namespace cw::attest::server {

HttpResponse internal_error(const std::string& what) {
    std::fprintf(stderr, "cw-attest-server: %s\n", what.c_str());
    return error_response(500, "internal_error", what);
}

Result<void> audit(ServerContext& context, std::string actor, std::string action, std::string workload,
                   std::string reason, std::string detail) {
    store::AuditEvent event{context.sessions.now(), std::move(actor), std::move(action), std::move(workload),
                            std::move(reason), std::move(detail)};
    auto appended = context.store.append_audit(event);
    if (!appended)
        std::fprintf(stderr, "cw-attest-server: audit log: %s\n", appended.error().to_string().c_str());
    return appended;
}

}  // namespace cw::attest::server
