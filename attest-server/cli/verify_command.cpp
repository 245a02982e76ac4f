// Option parsing and output for `cw-attest-server verify` (see verify_command.h).
// Repeatable options keep their values whole: cxxopts would split a path at a comma.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include "cli/verify_command.h"

#include <cxxopts.hpp>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>

#include "evidence/tdx/tcb_status.h"

namespace cw::attest::cli {

namespace {

cxxopts::Options verify_options() {
    cxxopts::Options options("cw-attest-server verify", "Verify SEV-SNP, TDX or simulated evidence offline");
    options.add_options()
        ("tee", "evidence type: snp, tdx or sim", cxxopts::value<std::string>())
        ("evidence", "SNP/sim: the raw 1184-byte report; TDX: the quote", cxxopts::value<std::string>())
        ("cert", "SNP: a PEM (bundle) or DER certificate: ARK, ASK/ASVK, VCEK/VLEK, told apart by "
                 "subject CN (repeatable)", cxxopts::value<std::vector<std::string>>())
        ("collateral", "directory of certificates, CRLs, TCB info and QE identity (files recognised by content)",
         cxxopts::value<std::string>())
        ("at", "verification time in seconds since the epoch (default: now)", cxxopts::value<std::string>())
        ("sim-key", "sim: the VMM host's P-384 public key (PEM); required for --tee sim",
         cxxopts::value<std::string>())
        ("allow-debug", "accept evidence of a debuggable guest (protects nothing; warns)")
        ("vmpl", "SNP/sim: require this VMPL (default: any, reported)", cxxopts::value<std::string>())
        ("accept-tcb-status", "TDX: also accept this TCB status, e.g. SWHardeningNeeded (repeatable; "
                              "UpToDate is always accepted, Revoked never)",
         cxxopts::value<std::vector<std::string>>())
        ("h,help", "show this help");
    return options;
}

std::optional<uint64_t> parse_unsigned(const std::string& text, uint64_t max) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        uint64_t digit = static_cast<uint64_t>(c - '0');
        if (digit > max || value > (max - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

Result<VerifyRequest> parse_checked(const cxxopts::ParseResult& args) {
    if (!args.unmatched().empty())
        return Error::msg("unexpected argument '" + args.unmatched().front() + "'");
    VerifyRequest req;
    if (args.count("tee") == 0)
        return Error::msg("--tee is required (snp, tdx or sim)");
    std::string tee = args["tee"].as<std::string>();
    if (tee == "snp")
        req.tee = Tee::Snp;
    else if (tee == "tdx")
        req.tee = Tee::Tdx;
    else if (tee == "sim")
        req.tee = Tee::Sim;
    else
        return Error::msg("--tee '" + tee + "': expected snp, tdx or sim");
    if (args.count("evidence") == 0)
        return Error::msg("--evidence FILE is required");
    req.evidence = args["evidence"].as<std::string>();
    if (args.count("cert") != 0)
        req.certs = args["cert"].as<std::vector<std::string>>();
    if (args.count("collateral") != 0)
        req.collateral_dir = args["collateral"].as<std::string>();
    if (args.count("sim-key") != 0)
        req.sim_key = args["sim-key"].as<std::string>();
    req.allow_debug = args.count("allow-debug") != 0;
    if (args.count("accept-tcb-status") != 0)
        req.accepted_tcb_statuses = args["accept-tcb-status"].as<std::vector<std::string>>();

    if (args.count("at") != 0) {
        std::string at = args["at"].as<std::string>();
        auto value = parse_unsigned(at, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
        if (!value)
            return Error::msg("--at '" + at + "': expected seconds since the epoch");
        req.at = static_cast<int64_t>(*value);
    } else {
        req.at = static_cast<int64_t>(std::time(nullptr));
    }
    if (args.count("vmpl") != 0) {
        std::string vmpl = args["vmpl"].as<std::string>();
        auto value = parse_unsigned(vmpl, 3);
        if (!value)
            return Error::msg("--vmpl '" + vmpl + "': expected 0, 1, 2 or 3");
        req.vmpl = static_cast<uint32_t>(*value);
    }

    if (req.tee == Tee::Sim && !req.sim_key)
        return Error::msg("--tee sim requires --sim-key PUBKEY.pem: sim evidence is accepted only against a host key "
                          "named explicitly (and even then it protects nothing)");
    if (req.tee != Tee::Sim && req.sim_key)
        return Error::msg("--sim-key applies to --tee sim only");
    if (req.tee != Tee::Snp && !req.certs.empty())
        return Error::msg(std::string("--cert applies to --tee snp only (") +
                          (req.tee == Tee::Tdx ? "TDX certificates come from the quote)" : "sim has no certificates)"));
    if (req.tee == Tee::Tdx && req.vmpl)
        return Error::msg("--vmpl applies to --tee snp and sim only");
    if (req.tee != Tee::Tdx && !req.accepted_tcb_statuses.empty())
        return Error::msg("--accept-tcb-status applies to --tee tdx only");
    for (const auto& name : req.accepted_tcb_statuses) {
        auto status = parse_tcb_status(name);
        if (!status || *status == TcbStatus::Revoked)
            return Error::msg("--accept-tcb-status '" + name + "': expected a PCS TCB status other than Revoked "
                              "(UpToDate, SWHardeningNeeded, ConfigurationNeeded, ...)");
    }
    return req;
}

void print_outcome(const VerifyOutcome& outcome) {
    for (const auto& warning : outcome.warnings)
        std::fprintf(stderr, "cw-attest-server: warning: %s\n", warning.c_str());
    if (!outcome.error.empty())
        std::fprintf(stderr, "cw-attest-server verify: %s\n", outcome.error.c_str());
    if (!outcome.verdict.is_null()) {
        std::string text = outcome.verdict.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        std::fprintf(stdout, "%s\n", text.c_str());
    }
    std::fflush(stdout);
}

}  // namespace

const char* tee_name(Tee tee) {
    switch (tee) {
    case Tee::Snp: return "snp";
    case Tee::Tdx: return "tdx";
    case Tee::Sim: return "sim";
    }
    return "unknown";
}

std::string hex_u64(uint64_t value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64, value);
    return buf;
}

Result<VerifyRequest> parse_verify_args(int argc, char** argv) {
    auto options = verify_options();
    try {
        return parse_checked(options.parse(argc, argv));
    } catch (const cxxopts::exceptions::exception& e) {
        return Error::msg(e.what());
    }
}

VerifyOutcome unreadable_input(const VerifyRequest& request, const std::string& what) {
    VerifyOutcome out;
    out.exit_code = kExitUsage;
    out.error = what;
    out.verdict = {{"tee", tee_name(request.tee)}, {"verified", false}, {"reason", "unreadable_input"},
                   {"message", what}, {"at", request.at}};
    return out;
}

VerifyOutcome run_verify(const VerifyRequest& request) {
    try {
        switch (request.tee) {
        case Tee::Snp: return run_verify_snp(request);
        case Tee::Sim: return run_verify_sim(request);
        case Tee::Tdx: return run_verify_tdx(request);
        }
    } catch (const std::exception& e) {
        // The verifiers do not throw; this is allocation failure or a bug. Refuse, loudly.
        VerifyOutcome out = unreadable_input(request, std::string("internal error: ") + e.what());
        out.verdict["reason"] = "internal_error";
        out.exit_code = kExitRejected;
        return out;
    }
    return unreadable_input(request, "unknown --tee");
}

int verify_main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::printf("%s\n", verify_options().help().c_str());
            return kExitVerified;
        }
    }
    auto request = parse_verify_args(argc, argv);
    if (!request.ok()) {
        std::fprintf(stderr, "cw-attest-server verify: %s (see cw-attest-server verify --help)\n",
                     request.error().to_string().c_str());
        return kExitUsage;
    }
    VerifyOutcome outcome = run_verify(*request);
    print_outcome(outcome);
    return outcome.exit_code;
}

}  // namespace cw::attest::cli
