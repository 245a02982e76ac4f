// Test-only: cw-sim-report-tool PRIVKEY.pem OUT.bin [MEASUREMENT_HEX [REPORT_DATA_HEX [HOST_DATA_HEX]]]
// writes a sim report (evidence/snp/sim_report.h) signed with the key, for verify-test and the
// protocol test. Not installed.
#include <algorithm>
#include <cstdio>
#include <span>
#include <string>

#include "evidence/snp/sim_report.h"
#include "evidence/x509/digest.h"
#include "evidence/x509/keys.h"

int main(int argc, char** argv) {
    using namespace cw::attest;
    if (argc < 3 || argc > 6) {
        std::fprintf(stderr,
                     "usage: cw-sim-report-tool PRIVKEY.pem OUT.bin [MEASUREMENT_HEX [REPORT_DATA_HEX [HOST_DATA_HEX]]]\n");
        return 2;
    }
    auto key = load_private_key_file(argv[1]);
    if (!key.ok()) {
        std::fprintf(stderr, "cw-sim-report-tool: %s\n", key.error().to_string().c_str());
        return 1;
    }
    SimReportInput input;
    input.report_data[0] = 0x5a;
    input.host_data[0] = 0xa5;
    auto take_hex = [&](int index, std::span<uint8_t> field, const char* name) {
        if (argc <= index)
            return true;
        auto bytes = from_hex(argv[index]);
        if (!bytes || bytes->size() != field.size()) {
            std::fprintf(stderr, "cw-sim-report-tool: %s must be %zu hex digits\n", name, field.size() * 2);
            return false;
        }
        std::copy(bytes->begin(), bytes->end(), field.begin());
        return true;
    };
    if (!take_hex(3, input.measurement, "MEASUREMENT_HEX") || !take_hex(4, input.report_data, "REPORT_DATA_HEX") ||
        !take_hex(5, input.host_data, "HOST_DATA_HEX"))
        return 2;
    auto report = create_sim_report(input, key->get());
    if (!report.ok()) {
        std::fprintf(stderr, "cw-sim-report-tool: %s\n", report.error().to_string().c_str());
        return 1;
    }
    std::FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr || std::fwrite(report->data(), 1, report->size(), out) != report->size() || std::fclose(out) != 0) {
        std::fprintf(stderr, "cw-sim-report-tool: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
