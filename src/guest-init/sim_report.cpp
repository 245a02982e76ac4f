#include "guest-init/sim_report.h"

#include "guest-init/vsock.h"

namespace cw::guest {

Result<SimReport> sim_report_exchange(int fd, const std::array<uint8_t, kSimReportDataSize>& report_data,
                                      std::chrono::milliseconds timeout) {
    CW_TRY(write_all(fd, report_data).context("sim report: sending the report data"));
    SimReport report{};
    CW_TRY(read_exact(fd, report, timeout).context("sim report: reading the report"));
    // One report per connection: anything more means we are not talking to the service.
    uint8_t extra = 0;
    auto more = read_exact(fd, std::span<uint8_t>(&extra, 1), timeout);
    if (more.ok())
        return Error::msg("sim report: the service sent more than " + std::to_string(kSimReportSize) + " bytes");
    if (more.error().message().rfind("connection closed", 0) != 0)
        return std::move(more).error().context("sim report: waiting for the service to close");
    return report;
}

Result<SimReport> request_sim_report(const std::array<uint8_t, kSimReportDataSize>& report_data) {
    UniqueFd fd = CW_TRY(vsock_connect_host(kSimReportPort).context("sim report"));
    return sim_report_exchange(fd.get(), report_data);
}

}  // namespace cw::guest
