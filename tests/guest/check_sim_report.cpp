// sim-report: the sim TEE's report service from inside the guest.
//   sim-report HEX128   sends the 64 bytes HEX128 to host vsock port 4050 (CID 2), reads the
//                       1184-byte report and prints it as hex ("sim-report: report HEX"),
//                       and prints the SHA-256 of /cw/workload.json ("sim-report: workload
//                       SHA"); the host checks both (tests/vmm/device-test sim-report)
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "guest-init/sim_report.h"
#include "guest_util.h"

namespace cw::guest_test {

namespace {

constexpr size_t kRequestSize = cw::guest::kSimReportDataSize;

std::string hex(const unsigned char* p, size_t n) {
    std::string out;
    char b[3];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        out += b;
    }
    return out;
}

}  // namespace

void check_sim_report(int argc, char** argv) {
    if (argc != 2 || std::strlen(argv[1]) != 2 * kRequestSize)
        fail("usage: sim-report HEX128", false);
    unsigned char request[kRequestSize];
    for (size_t i = 0; i < kRequestSize; ++i) {
        unsigned v = 0;
        if (std::sscanf(argv[1] + 2 * i, "%2x", &v) != 1)
            fail("sim-report: bad hex", false);
        request[i] = static_cast<unsigned char>(v);
    }
    // The same code path guest-init's sim evidence provider takes (src/guest-init/sim_report.h).
    std::array<uint8_t, cw::guest::kSimReportDataSize> report_data{};
    std::memcpy(report_data.data(), request, sizeof request);
    auto report = cw::guest::request_sim_report(report_data);
    if (!report.ok())
        fail("sim-report: " + report.error().to_string(), false);
    say("sim-report: report %s", hex(report->data(), report->size()).c_str());

    std::FILE* f = std::fopen("/cw/workload.json", "rb");
    if (f == nullptr)
        fail("sim-report: /cw/workload.json");
    std::vector<unsigned char> config(65536);
    size_t len = std::fread(config.data(), 1, config.size(), f);
    std::fclose(f);
    say("sim-report: workload %s", sha256_hex(config.data(), len).c_str());
    stop_vm(0);
}

}  // namespace cw::guest_test
