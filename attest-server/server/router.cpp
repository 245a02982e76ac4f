#include "server/router.h"

#include <chrono>

#include "protocol/protocol.h"
#include "server/admin_api.h"
#include "server/guest_api.h"

namespace cw::attest::server {

namespace proto = cw::attest::protocol;

namespace {

constexpr std::string_view kAdminPrefix = "/cw/v1/admin/";

struct Route {
    std::string_view name;  // the metrics label
    HttpResponse (*handle)(ServerContext&, const HttpRequest&);
};

HttpResponse healthz(ServerContext&, const HttpRequest&) {
    return json_response(200, R"({"status":"ok"})");
}

HttpResponse metrics(ServerContext& context, const HttpRequest&) {
    return {200, context.metrics.render(), "text/plain; version=0.0.4", {}};
}

HttpResponse dispatch(ServerContext& context, const HttpRequest& request, std::string_view& route) {
    std::string_view path = target_path(request.target);
    struct Entry {
        std::string_view method;
        std::string_view path;
        Route route;
    };
    static const Entry kRoutes[] = {
        {"POST", proto::kAuthPath, {"auth", handle_auth}},
        {"POST", proto::kAttestPath, {"attest", handle_attest}},
        {"GET", proto::kDiskKeyPath, {"disk_key", handle_disk_key}},
        {"GET", "/healthz", {"healthz", healthz}},
        {"GET", "/metrics", {"metrics", metrics}},
    };
    for (const auto& entry : kRoutes) {
        if (entry.path != path)
            continue;
        route = entry.route.name;
        if (entry.method != request.method)
            return error_response(405, "method_not_allowed", std::string(path) + ": use " + std::string(entry.method));
        return entry.route.handle(context, request);
    }
    if (path.substr(0, kAdminPrefix.size()) == kAdminPrefix) {
        route = "admin";
        return handle_admin(context, request);
    }
    route = "other";
    return error_response(404, "not_found", "no such resource");
}

}  // namespace

HttpResponse route_request(ServerContext& context, const HttpRequest& request) {
    auto start = std::chrono::steady_clock::now();
    std::string_view route = "other";
    HttpResponse reply = dispatch(context, request, route);
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    context.metrics.record_request(route, reply.status, elapsed.count());
    if (!reply.reason.empty())
        context.metrics.record_refusal(reply.reason);
    return reply;
}

}  // namespace cw::attest::server
