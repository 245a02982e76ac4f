// `cw-attest-server verify`: offline verification of one piece of evidence, for operators.
//
//   cw-attest-server verify --tee snp|tdx|sim --evidence FILE [--cert FILE]... [--collateral DIR]
//                           [--at EPOCH] [--sim-key PUBKEY.pem] [--allow-debug] [--vmpl N]
//                           [--accept-tcb-status NAME]...
//
// Prints exactly one JSON verdict on stdout (tee, verified, reason, message, checks, tcb,
// measurement, report_data, host_data or mrconfigid, policy, at) and exits kExitVerified only
// when the evidence verified and passed the command's fixed policy: DEBUG off (unless
// --allow-debug), the VMPL given by --vmpl (SNP, sim), TDX TCB status UpToDate (or one of
// --accept-tcb-status) and no non-zero bytes after a TDX quote. Measurements are printed, not
// judged: which launch digests a workload accepts is the server's registration, not this tool's.
//
// Nothing is fetched: certificates come from --cert files and the collateral directory (SNP),
// or the quote's certification data (TDX); CRLs, TCB info and QE identity from the collateral
// directory (collateral/collateral_files.h says how its files are recognised,
// collateral/snp_chain_select.h how the SNP certificates are picked). --at pins the
// verification time (default: now).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace cw::attest::cli {

inline constexpr int kExitVerified = 0;
inline constexpr int kExitRejected = 1;  // evidence was read and did not verify
inline constexpr int kExitUsage = 2;     // bad options, unreadable files

enum class Tee { Snp, Tdx, Sim };
const char* tee_name(Tee tee);

struct VerifyRequest {
    Tee tee = Tee::Snp;
    std::string evidence;
    std::vector<std::string> certs;
    std::optional<std::string> collateral_dir;
    int64_t at = 0;  // seconds since the epoch, always set (now when --at is absent)
    std::optional<std::string> sim_key;
    bool allow_debug = false;
    std::optional<uint32_t> vmpl;
    std::vector<std::string> accepted_tcb_statuses;  // TDX; empty = UpToDate only
};

struct VerifyOutcome {
    int exit_code = kExitRejected;
    nlohmann::json verdict;             // printed on stdout
    std::vector<std::string> warnings;  // printed on stderr, one line each
    std::string error;                  // for kExitUsage: the one stderr line
};

// Parses the arguments after "verify" (argv[0] is "verify"). Errors are usage errors, one line
// naming the option.
Result<VerifyRequest> parse_verify_args(int argc, char** argv);

// Loads the inputs, verifies, applies the fixed policy, builds the verdict. Never throws.
VerifyOutcome run_verify(const VerifyRequest& request);

// The per-TEE halves of run_verify (verify_snp.cpp, verify_tdx.cpp).
VerifyOutcome run_verify_snp(const VerifyRequest& request);
VerifyOutcome run_verify_sim(const VerifyRequest& request);
VerifyOutcome run_verify_tdx(const VerifyRequest& request);

// A verdict for input that could not be read (exit kExitUsage): reason "unreadable_input".
VerifyOutcome unreadable_input(const VerifyRequest& request, const std::string& what);

// "0x" + 16 hex digits.
std::string hex_u64(uint64_t value);

// parse + run + print; the `verify` subcommand's entry point. Returns the exit code.
int verify_main(int argc, char** argv);

}  // namespace cw::attest::cli
