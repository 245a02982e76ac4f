// Prometheus metrics for /metrics: request counts by route and status, key releases,
// refusals by reason, and a request-latency histogram. Label values come from fixed sets
// (route names and reason codes chosen by the server, never from request text), so the number
// of series is bounded whatever clients send.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace cw::attest::server {

class Metrics {
public:
    void record_request(std::string_view route, unsigned status, double seconds);
    void record_release();
    void record_refusal(std::string_view reason);
    // The text exposition format (version 0.0.4).
    [[nodiscard]] std::string render() const;

    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, unsigned>, uint64_t> m_requests;
    uint64_t m_releases = 0;
    std::map<std::string, uint64_t> m_refusals;
    std::array<uint64_t, kBuckets.size()> m_bucket_counts{};
    uint64_t m_count = 0;
    double m_sum = 0;
};

}  // namespace cw::attest::server
