// bench/attest's load generator and crypto-only baseline (see bench/attest).
//
//   attest-load http   --server HOST:PORT --ca CA.pem --workload ID --sim-key KEY.pem
//                      --measurement HEX96 --host-data HEX64 --clients N --seconds S
//   attest-load crypto --sim-key KEY.pem --measurement HEX96 --host-data HEX64 --threads T --seconds S
//
// http: N client threads, each with one keep-alive TLS connection (AttestClient), run the
// whole guest flow (auth, sim evidence, attest, disk key, unwrap) in a loop. Latency is one
// release: the three requests plus the client's own crypto.
// crypto: T threads run the same cryptography with no HTTP, TLS or database: the guest's
// (P-384 key pair, sim report signature, unwrap) and the server's (appraise(): sim report
// verification, policy, binding; wrap_key), through the same library calls.
// Both print one JSON line: {"mode", "workers", "releases", "seconds", "rate", "p50_ms", "p99_ms", "errors"}.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "evidence/snp/sim_report.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/keys.h"
#include "policy/appraisal.h"
#include "policy/workload_policy.h"
#include "protocol/binding.h"
#include "protocol/client.h"
#include "protocol/key_wrap.h"

using namespace cw;
using namespace cw::attest;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string mode;
    std::string server, ca, workload = "bench", sim_key;
    SimReportInput sim;
    unsigned workers = 1;
    double seconds = 10;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "attest-load: %s\n", message.c_str());
    std::exit(2);
}

template <size_t N>
void hex_into(const std::string& name, const std::string& text, std::array<uint8_t, N>& out) {
    auto bytes = from_hex(text);
    if (!bytes || bytes->size() != N)
        die("--" + name + ": expected " + std::to_string(N * 2) + " hex digits");
    std::copy(bytes->begin(), bytes->end(), out.begin());
}

Options parse(int argc, char** argv) {
    cxxopts::Options spec("attest-load", "bench/attest load generator");
    spec.add_options()("mode", "http or crypto", cxxopts::value<std::string>())
        ("server", "HOST:PORT", cxxopts::value<std::string>())("ca", "CA PEM", cxxopts::value<std::string>())
        ("workload", "workload id", cxxopts::value<std::string>()->default_value("bench"))
        ("sim-key", "sim host private key PEM", cxxopts::value<std::string>())
        ("measurement", "HEX96", cxxopts::value<std::string>())("host-data", "HEX64", cxxopts::value<std::string>())
        ("clients", "concurrent clients (http)", cxxopts::value<unsigned>()->default_value("1"))
        ("threads", "threads (crypto)", cxxopts::value<unsigned>()->default_value("1"))
        ("seconds", "duration", cxxopts::value<double>()->default_value("10"));
    spec.parse_positional({"mode"});
    Options o;
    try {
        auto args = spec.parse(argc, argv);
        for (const char* required : {"mode", "sim-key", "measurement", "host-data"}) {
            if (!args.count(required))
                die(std::string("--") + required + " is required");
        }
        o.mode = args["mode"].as<std::string>();
        o.sim_key = args["sim-key"].as<std::string>();
        o.workload = args["workload"].as<std::string>();
        hex_into("measurement", args["measurement"].as<std::string>(), o.sim.measurement);
        hex_into("host-data", args["host-data"].as<std::string>(), o.sim.host_data);
        o.seconds = args["seconds"].as<double>();
        if (o.mode == "http") {
            if (!args.count("server") || !args.count("ca"))
                die("http mode needs --server and --ca");
            o.server = args["server"].as<std::string>();
            o.ca = args["ca"].as<std::string>();
            o.workers = args["clients"].as<unsigned>();
        } else if (o.mode == "crypto") {
            o.workers = args["threads"].as<unsigned>();
        } else {
            die("mode must be http or crypto");
        }
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (o.workers == 0 || o.workers > 1024)
        die("1 to 1024 workers");
    return o;
}

struct Tally {
    std::mutex mutex;
    std::vector<double> latencies_ms;
    uint64_t errors = 0;
    std::string first_error;

    void add(std::vector<double>& mine, uint64_t errors_seen, const std::string& error) {
        std::lock_guard lock(mutex);
        latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
        errors += errors_seen;
        if (first_error.empty())
            first_error = error;
    }
};

// Runs `one` (one release) on every worker until the time is up.
template <class MakeWorker>
void drive(const Options& o, Tally& tally, MakeWorker make_worker) {
    auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.workers; ++i) {
        threads.emplace_back([&, i] {
            auto one = make_worker(i);
            std::vector<double> mine;
            uint64_t errors = 0;
            std::string error;
            while (Clock::now() < end) {
                auto start = Clock::now();
                auto result = one();
                if (!result.ok()) {
                    ++errors;
                    if (error.empty())
                        error = result.error().to_string();
                    continue;
                }
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            }
            tally.add(mine, errors, error);
        });
    }
    for (auto& t : threads)
        t.join();
}

Result<protocol::Evidence> sim_evidence(const SimReportInput& base, const EVP_PKEY* key,
                                        const std::array<uint8_t, 64>& report_data) {
    SimReportInput input = base;
    input.report_data = report_data;
    auto report = CW_TRY(create_sim_report(input, key));
    return protocol::Evidence{std::vector<uint8_t>(report.begin(), report.end()), {}};
}

// The server's side of one release without HTTP, TLS or the store: what handle_attest and
// handle_disk_key compute.
Result<std::vector<uint8_t>> crypto_release(const Options& o, const EVP_PKEY* sim_private,
                                            const policy::WorkloadPolicy& workload_policy,
                                            const policy::AppraisalConfig& config, const std::vector<uint8_t>& disk_key) {
    std::array<uint8_t, 32> nonce{};
    nonce[0] = 1;
    // guest
    EvpPkeyPtr tee_key = CW_TRY(protocol::generate_tee_key());
    auto pub = CW_TRY(protocol::encode_public_point(tee_key.get()));
    auto binding = protocol::report_data_binding(nonce, pub);
    auto evidence = CW_TRY(sim_evidence(o.sim, sim_private, binding));
    // server
    auto tee_public = CW_TRY(protocol::decode_public_point(pub));
    auto verdict = policy::appraise({protocol::Tee::Sim, evidence.bytes, evidence.certificates}, workload_policy,
                                    protocol::report_data_binding(nonce, pub), config);
    if (!verdict.ok)
        return Error::msg("appraisal: " + verdict.reason + " " + verdict.detail + ": " + verdict.message);
    auto wrapped = CW_TRY(protocol::wrap_key(tee_public.get(), disk_key, {nonce, o.workload}));
    // guest
    return protocol::unwrap_key(tee_key.get(), wrapped, {nonce, o.workload});
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    auto sim_private = load_private_key_file(o.sim_key);
    if (!sim_private)
        die(sim_private.error().to_string());
    Tally tally;
    auto start = Clock::now();

    if (o.mode == "http") {
        auto ca = read_file_bytes(o.ca, 1 << 20);
        if (!ca)
            die(ca.error().to_string());
        size_t colon = o.server.rfind(':');
        if (colon == std::string::npos)
            die("--server: HOST:PORT");
        std::string host = o.server.substr(0, colon);
        auto connector = protocol::tcp_connector(host, static_cast<uint16_t>(std::stoul(o.server.substr(colon + 1))));
        if (!connector)
            die(connector.error().to_string());
        drive(o, tally, [&](unsigned) {
            protocol::ClientConfig config;
            config.connect = connector.value();
            config.server_name = host;
            config.ca_pem = std::string(ca->begin(), ca->end());
            config.workload = o.workload;
            config.tee = protocol::Tee::Sim;
            config.timeout = std::chrono::milliseconds(30000);
            auto client = std::make_shared<protocol::AttestClient>(std::move(config));
            return [&o, client, key = sim_private.value().get()] {
                return client->fetch_disk_key(
                    [&](const std::array<uint8_t, 64>& report_data) { return sim_evidence(o.sim, key, report_data); });
            };
        });
    } else {
        // The public half of the sim key, as the server is configured with it.
        auto pem = public_key_to_pem(sim_private.value().get());
        if (!pem)
            die(pem.error().to_string());
        auto sim_public = parse_public_key_pem({reinterpret_cast<const uint8_t*>(pem->data()), pem->size()});
        if (!sim_public)
            die(sim_public.error().to_string());
        nlohmann::json policy_json = {{"tee", {"sim"}},
                                      {"sim", {{"measurements", {to_hex_lower(o.sim.measurement)}},
                                               {"host_data", to_hex_lower(o.sim.host_data)}}}};
        auto workload_policy = policy::parse_workload_policy(policy_json.dump());
        if (!workload_policy)
            die(workload_policy.error().to_string());
        policy::AppraisalConfig config;
        config.sim_public_key = sim_public.value().get();
        std::vector<uint8_t> disk_key(32, 0x42);
        drive(o, tally, [&](unsigned) {
            return [&] { return crypto_release(o, sim_private.value().get(), workload_policy.value(), config, disk_key); };
        });
    }

    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    auto& lat = tally.latencies_ms;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<size_t>(p * static_cast<double>(lat.size())))]; };
    nlohmann::json out = {{"mode", o.mode},
                          {"workers", o.workers},
                          {"releases", lat.size()},
                          {"seconds", elapsed},
                          {"rate", static_cast<double>(lat.size()) / elapsed},
                          {"p50_ms", pct(0.50)},
                          {"p99_ms", pct(0.99)},
                          {"errors", tally.errors}};
    if (!tally.first_error.empty())
        out["first_error"] = tally.first_error;
    std::printf("%s\n", out.dump().c_str());
    return tally.errors == 0 ? 0 : 1;
}
