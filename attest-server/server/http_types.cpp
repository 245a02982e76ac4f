#include "server/http_types.h"

#include <nlohmann/json.hpp>

namespace cw::attest::server {

HttpResponse error_response(unsigned status, std::string_view error, std::string_view message,
                            std::string_view detail) {
    nlohmann::json body = {{"error", error}, {"message", message}};
    if (!detail.empty())
        body["detail"] = detail;
    // dump's replace mode: a message quoting hostile input must not make the reply invalid UTF-8.
    return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json",
            std::string(error)};
}

HttpResponse json_response(unsigned status, std::string body) {
    return {status, std::move(body), "application/json", {}};
}

std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string_view query_param(std::string_view target, std::string_view name) {
    size_t q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

}  // namespace cw::attest::server
