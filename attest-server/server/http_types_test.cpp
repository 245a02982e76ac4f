#include "server/http_types.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace cw::attest::server {

TEST_CASE("error replies carry reason, message and optional detail") {
    auto reply = error_response(403, "policy_rejected", "no", "measurement_mismatch");
    CHECK(reply.status == 403);
    CHECK(reply.reason == "policy_rejected");
    auto body = nlohmann::json::parse(reply.body);
    CHECK(body["error"] == "policy_rejected");
    CHECK(body["detail"] == "measurement_mismatch");
    CHECK_FALSE(nlohmann::json::parse(error_response(400, "bad_request", "x").body).contains("detail"));
}

TEST_CASE("an error message quoting invalid UTF-8 still yields valid JSON") {
    auto reply = error_response(400, "bad_request", std::string("bad \xff\xfe byte"));
    CHECK(nlohmann::json::accept(reply.body));
}

TEST_CASE("targets split into path and query parameters") {
    CHECK(target_path("/cw/v1/admin/audit?limit=5") == "/cw/v1/admin/audit");
    CHECK(target_path("/healthz") == "/healthz");
    CHECK(query_param("/a?limit=5", "limit") == "5");
    CHECK(query_param("/a?x=1&limit=7", "limit") == "7");
    CHECK(query_param("/a?limitx=1", "limit").empty());
    CHECK(query_param("/a", "limit").empty());
}

}  // namespace cw::attest::server
