// The sim TEE's evidence: the VMM's report service on host vsock port 4050
// (src/tee/sim/report_service.h) takes 64 bytes of REPORT_DATA and answers with one
// 1184-byte report, then closes. Used by guest-init and by the device test (tests/guest).
//
// Trust: none. The sim report is signed by a key the host holds; it proves nothing and the
// server accepts it only when its operator trusts that key (docs/threat-model.md).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "base/result.h"

namespace cw::guest {

inline constexpr uint32_t kSimReportPort = 4050;
inline constexpr size_t kSimReportDataSize = 64;
inline constexpr size_t kSimReportSize = 1184;

using SimReport = std::array<uint8_t, kSimReportSize>;

// The exchange on a connected stream: write the report data, read the report, expect EOF.
Result<SimReport> sim_report_exchange(int fd, const std::array<uint8_t, kSimReportDataSize>& report_data,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Connects to the service and runs the exchange.
Result<SimReport> request_sim_report(const std::array<uint8_t, kSimReportDataSize>& report_data);

}  // namespace cw::guest
