#include "server/metrics.h"

#include <doctest/doctest.h>

namespace cw::attest::server {

TEST_CASE("metrics render counters and a cumulative histogram") {
    Metrics metrics;
    metrics.record_request("auth", 200, 0.0004);
    metrics.record_request("auth", 200, 0.003);
    metrics.record_request("attest", 403, 0.02);
    metrics.record_release();
    metrics.record_refusal("policy_rejected");
    metrics.record_refusal("policy_rejected");
    std::string text = metrics.render();
    CHECK(text.find("cw_attest_requests_total{route=\"auth\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(text.find("cw_attest_requests_total{route=\"attest\",status=\"403\"} 1\n") != std::string::npos);
    CHECK(text.find("cw_attest_releases_total 1\n") != std::string::npos);
    CHECK(text.find("cw_attest_refusals_total{reason=\"policy_rejected\"} 2\n") != std::string::npos);
    CHECK(text.find("cw_attest_request_duration_seconds_bucket{le=\"0.0005\"} 1\n") != std::string::npos);
    CHECK(text.find("cw_attest_request_duration_seconds_bucket{le=\"0.005\"} 2\n") != std::string::npos);
    CHECK(text.find("cw_attest_request_duration_seconds_bucket{le=\"0.025\"} 3\n") != std::string::npos);
    CHECK(text.find("cw_attest_request_duration_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("cw_attest_request_duration_seconds_count 3\n") != std::string::npos);
}

}  // namespace cw::attest::server
