// The server's view of one HTTP exchange, free of Beast types so the handlers (and their unit
// tests) never see the transport. The listener fills an HttpRequest only after enforcing its
// limits (header and body size, timeouts), so a handler sees at most kMaxBodyBytes of body.
#pragma once

#include <string>
#include <string_view>

namespace cw::attest::server {

struct HttpRequest {
    std::string method;         // "GET", "POST", ...
    std::string target;         // path and query as sent, e.g. "/cw/v1/admin/audit?limit=5"
    std::string authorization;  // the Authorization header, "" when absent
    std::string body;
    std::string peer;           // client address "IP:port", for the audit log
};

struct HttpResponse {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::string reason;  // the refusal's reason code ("" on success): for metrics and audit
};

// A refusal in the protocol's error shape: {"error", "message", "detail"?}.
HttpResponse error_response(unsigned status, std::string_view error, std::string_view message,
                            std::string_view detail = {});
// 200-class JSON reply.
HttpResponse json_response(unsigned status, std::string body);

// The path of a target without its query; the value of one query parameter.
std::string_view target_path(std::string_view target);
std::string_view query_param(std::string_view target, std::string_view name);

}  // namespace cw::attest::server
