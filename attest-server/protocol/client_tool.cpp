// cw-attest-client: A TEST TOOL. Runs the guest side of cw-attest/1 (client.h) against an
// attestation server from the host, with *sim* evidence it signs itself with the sim host key,
// and prints the released disk key as hex. Whoever holds the sim key can do this: it shows
// the server's flow works and protects nothing (docs/threat-model.md). Not installed.
//
//   cw-attest-client --server HOST:PORT --ca CA.pem --workload ID --tee sim
//                    --sim-key HOST_PRIVATE.pem --measurement HEX96 [--host-data HEX64]
#include <cstdio>
#include <cxxopts.hpp>
#include <string>

#include "base/hex.h"
#include "evidence/snp/sim_report.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/keys.h"
#include "protocol/client.h"

namespace cw::attest::protocol {
namespace {

constexpr uint64_t kMaxCaFileBytes = 256 * 1024;

struct Options {
    std::string host;
    uint16_t port = 0;
    std::string ca_path;
    std::string workload;
    std::string sim_key_path;
    SimReportInput sim;
    uint32_t timeout_ms = 10000;
};

// "host:port", "[v6]:port".
Result<void> parse_server(const std::string& text, Options& out) {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        return Error::msg("--server: expected HOST:PORT, got \"" + text + "\"");
    std::string host = text.substr(0, colon);
    if (host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string port = text.substr(colon + 1);
    unsigned long value = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || value > 65535)
            return Error::msg("--server: bad port \"" + port + "\"");
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535)
        return Error::msg("--server: bad port \"" + port + "\"");
    out.host = host;
    out.port = static_cast<uint16_t>(value);
    return {};
}

template <size_t N>
Result<void> parse_hex_into(const std::string& option, const std::string& text, std::array<uint8_t, N>& out) {
    auto bytes = from_hex(text);
    if (!bytes || bytes->size() != N)
        return Error::msg("--" + option + ": expected " + std::to_string(2 * N) + " hex digits");
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return {};
}

Result<Options> parse_options(int argc, char** argv) {
    cxxopts::Options spec("cw-attest-client",
                          "TEST TOOL: fetches a workload's disk key from a cw-attest server using SIMULATED "
                          "evidence signed with the sim host key, and prints it as hex. Sim evidence protects "
                          "nothing; this exercises the protocol only.");
    spec.add_options()
        ("server", "attestation server HOST:PORT (HOST is also the name checked in its certificate)",
         cxxopts::value<std::string>())
        ("ca", "PEM CA certificate(s) the server certificate must chain to", cxxopts::value<std::string>())
        ("workload", "workload id", cxxopts::value<std::string>())
        ("tee", "TEE type: only sim", cxxopts::value<std::string>()->default_value("sim"))
        ("sim-key", "PEM private key of the sim host (P-384)", cxxopts::value<std::string>())
        ("measurement", "sim report MEASUREMENT, 96 hex digits", cxxopts::value<std::string>())
        ("host-data", "sim report HOST_DATA, 64 hex digits (default zero)", cxxopts::value<std::string>())
        ("timeout-ms", "bound on the whole exchange", cxxopts::value<uint32_t>()->default_value("10000"))
        ("h,help", "show this help");
    try {
        auto args = spec.parse(argc, argv);
        if (args.count("help") != 0) {
            std::fputs(spec.help().c_str(), stdout);
            std::exit(0);
        }
        for (const char* required : {"server", "ca", "workload", "sim-key", "measurement"}) {
            if (args.count(required) == 0)
                return Error::msg(std::string("missing --") + required + " (see --help)");
        }
        if (!args.unmatched().empty())
            return Error::msg("unexpected argument \"" + args.unmatched().front() + "\"");
        if (args["tee"].as<std::string>() != "sim")
            return Error::msg("--tee: only sim evidence can be made on the host");
        Options out;
        CW_TRY(parse_server(args["server"].as<std::string>(), out));
        out.ca_path = args["ca"].as<std::string>();
        out.workload = args["workload"].as<std::string>();
        out.sim_key_path = args["sim-key"].as<std::string>();
        CW_TRY(parse_hex_into("measurement", args["measurement"].as<std::string>(), out.sim.measurement));
        if (args.count("host-data") != 0)
            CW_TRY(parse_hex_into("host-data", args["host-data"].as<std::string>(), out.sim.host_data));
        out.timeout_ms = args["timeout-ms"].as<uint32_t>();
        return out;
    } catch (const cxxopts::exceptions::exception& e) {
        return Error::msg(e.what());
    }
}

Result<std::vector<uint8_t>> run(const Options& options) {
    EvpPkeyPtr sim_key = CW_TRY(load_private_key_file(options.sim_key_path));
    std::vector<uint8_t> ca = CW_TRY(read_file_bytes(options.ca_path, kMaxCaFileBytes));
    ClientConfig config;
    config.connect = CW_TRY(tcp_connector(options.host, options.port, std::chrono::milliseconds(options.timeout_ms)));
    config.server_name = options.host;
    config.ca_pem = std::string(ca.begin(), ca.end());
    config.workload = options.workload;
    config.tee = Tee::Sim;
    config.timeout = std::chrono::milliseconds(options.timeout_ms);
    EvidenceProvider sim_evidence = [&](const std::array<uint8_t, 64>& report_data) -> Result<Evidence> {
        SimReportInput input = options.sim;
        input.report_data = report_data;
        SnpReportBytes report = CW_TRY(create_sim_report(input, sim_key.get()));
        return Evidence{std::vector<uint8_t>(report.begin(), report.end()), {}};
    };
    return fetch_disk_key(config, sim_evidence);
}

}  // namespace
}  // namespace cw::attest::protocol

int main(int argc, char** argv) {
    using namespace cw::attest::protocol;
    auto options = parse_options(argc, argv);
    if (!options.ok()) {
        std::fprintf(stderr, "cw-attest-client: %s\n", options.error().to_string().c_str());
        return 1;
    }
    auto key = run(*options);
    if (!key.ok()) {
        std::fprintf(stderr, "cw-attest-client: %s\n", key.error().to_string().c_str());
        return 1;
    }
    std::printf("%s\n", cw::to_hex_lower(*key).c_str());
    return 0;
}
