#include "server/metrics.h"

#include <cstdio>

namespace cw::attest::server {

void Metrics::record_request(std::string_view route, unsigned status, double seconds) {
    std::lock_guard lock(m_mutex);
    ++m_requests[{std::string(route), status}];
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++m_bucket_counts[i];  // cumulative, as the exposition format wants
    }
    ++m_count;
    m_sum += seconds;
}

void Metrics::record_release() {
    std::lock_guard lock(m_mutex);
    ++m_releases;
}

void Metrics::record_refusal(std::string_view reason) {
    std::lock_guard lock(m_mutex);
    ++m_refusals[std::string(reason)];
}

std::string Metrics::render() const {
    std::lock_guard lock(m_mutex);
    std::string out;
    char line[256];
    out += "# HELP cw_attest_requests_total HTTP requests by route and status.\n"
           "# TYPE cw_attest_requests_total counter\n";
    for (const auto& [key, count] : m_requests) {
        std::snprintf(line, sizeof line, "cw_attest_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                      key.first.c_str(), key.second, static_cast<unsigned long long>(count));
        out += line;
    }
    out += "# HELP cw_attest_releases_total Disk keys released.\n# TYPE cw_attest_releases_total counter\n";
    out += "cw_attest_releases_total " + std::to_string(m_releases) + "\n";
    out += "# HELP cw_attest_refusals_total Refused requests by reason code.\n"
           "# TYPE cw_attest_refusals_total counter\n";
    for (const auto& [reason, count] : m_refusals) {
        std::snprintf(line, sizeof line, "cw_attest_refusals_total{reason=\"%s\"} %llu\n", reason.c_str(),
                      static_cast<unsigned long long>(count));
        out += line;
    }
    out += "# HELP cw_attest_request_duration_seconds Time from a parsed request to its reply.\n"
           "# TYPE cw_attest_request_duration_seconds histogram\n";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        std::snprintf(line, sizeof line, "cw_attest_request_duration_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[i],
                      static_cast<unsigned long long>(m_bucket_counts[i]));
        out += line;
    }
    std::snprintf(line, sizeof line,
                  "cw_attest_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "cw_attest_request_duration_seconds_sum %.6f\n"
                  "cw_attest_request_duration_seconds_count %llu\n",
                  static_cast<unsigned long long>(m_count), m_sum, static_cast<unsigned long long>(m_count));
    out += line;
    return out;
}

}  // namespace cw::attest::server
