// Test-only: cw-sim-report-tool PRIVKEY.pem OUT.bin [MEASUREMENT_HEX] writes a sim report
// (evidence/snp/sim_report.h) signed with the key, for verify-test. Not installed.
#include <cstdio>
#include <string>

#include "evidence/snp/sim_report.h"
#include "evidence/x509/digest.h"
#include "evidence/x509/keys.h"

int main(int argc, char** argv) {
    using namespace cw::attest;
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: cw-sim-report-tool PRIVKEY.pem OUT.bin [MEASUREMENT_HEX]\n");
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
    if (argc == 4) {
        auto m = from_hex(argv[3]);
        if (!m || m->size() != input.measurement.size()) {
            std::fprintf(stderr, "cw-sim-report-tool: MEASUREMENT_HEX must be 96 hex digits\n");
            return 2;
        }
        std::copy(m->begin(), m->end(), input.measurement.begin());
    }
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
