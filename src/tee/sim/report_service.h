// The sim TEE's report service: the guest asks for a report over vsock and gets a sim report
// (attest-server/evidence/snp/sim_report.h) with the launch digest, its own report data and
// HOST_DATA, signed with the host's sim key. IT PROTECTS NOTHING (docs/threat-model.md).
//
// Protocol (one request per connection): the guest connects to host vsock port
// kSimReportVsockPort, sends exactly 64 bytes (REPORT_DATA), receives exactly 1184 bytes
// (the report), and the service closes the connection. Anything else (a short request, no
// request within kSimReportTimeout) closes the connection without a reply; bytes after the
// first 64 are ignored.
//
// The VMM forwards the vsock port to a Unix socket in a private temporary directory (0700,
// removed when the service stops); one thread serves connections one at a time, each bounded
// by kSimReportTimeout, with at most kSimReportBacklog waiting.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "base/event_fd.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "evidence/snp/sim_report.h"

namespace cw::tee {

// The host vsock port the guest asks for sim reports on (docs/measurement.md).
inline constexpr uint32_t kSimReportVsockPort = 4050;
inline constexpr size_t kSimReportRequestSize = 64;
inline constexpr std::chrono::seconds kSimReportTimeout{5};
inline constexpr int kSimReportBacklog = 4;

class SimReportService {
public:
    // Loads the P-384 private key and starts serving reports with `fields` (report_data is
    // replaced by each request's).
    [[nodiscard]] static Result<std::unique_ptr<SimReportService>> start(const std::string& key_path,
                                                                        const attest::SimReportInput& fields);
    ~SimReportService();
    SimReportService(const SimReportService&) = delete;
    SimReportService& operator=(const SimReportService&) = delete;

    // The Unix socket the vsock device forwards kSimReportVsockPort to.
    [[nodiscard]] const std::string& socket_path() const { return m_socket_path; }

private:
    SimReportService(attest::EvpPkeyPtr key, attest::SimReportInput fields, std::string dir, UniqueFd listener,
                     EventFd stop);
    void serve();
    void answer(int connection) const;

    attest::EvpPkeyPtr m_key;
    attest::SimReportInput m_fields;
    std::string m_dir;
    std::string m_socket_path;
    UniqueFd m_listener;
    EventFd m_stop;
    std::thread m_thread;
};

}  // namespace cw::tee
