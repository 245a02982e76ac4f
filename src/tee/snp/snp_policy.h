// The SNP guest policy given to SNP_LAUNCH_START. The firmware enforces it for the guest's
// life and copies it into every attestation report (POLICY, report offset 0x08), where a
// verifier checks it (shared/reference/attestation-facts.md 1.1 and 1.5). SEV Secure Nested
// Paging Firmware ABI Specification (AMD pub. 56860), section 4.3 "Guest Policy".
#pragma once

#include <cstdint>

namespace cw::tee::snp {

// Policy bits (bit numbers in the 64-bit POLICY).
inline constexpr unsigned kPolicyAbiMinorShift = 0;    // 7:0   minimum firmware ABI minor
inline constexpr unsigned kPolicyAbiMajorShift = 8;    // 15:8  minimum firmware ABI major
inline constexpr uint64_t kPolicySmt = 1ULL << 16;     // 16    SMT may be enabled on the host
inline constexpr uint64_t kPolicyReservedMbo = 1ULL << 17;  // 17 reserved, must be one
inline constexpr uint64_t kPolicyMigrateMa = 1ULL << 18;    // 18 a migration agent may be associated
inline constexpr uint64_t kPolicyDebug = 1ULL << 19;        // 19 the host may debug (decrypt) the guest
inline constexpr uint64_t kPolicySingleSocket = 1ULL << 20; // 20 the guest may run on one socket only

struct SnpPolicyConfig {
    // Whether the guest may run while the host has SMT enabled. Allowing it lets a sibling
    // hyperthread share the core with the guest (a side-channel concern); refusing it makes
    // the launch fail on SMT hosts. The operator decides: no default is safe for everyone.
    bool smt_allowed = true;
    // The oldest firmware ABI the guest accepts. 0.0 accepts any SNP firmware; a verifier
    // still checks the firmware's TCB in the report, which is where firmware age matters.
    uint8_t abi_major = 0;
    uint8_t abi_minor = 0;
};

// The POLICY value for `config`. What is set, and why:
//   ABI_MINOR / ABI_MAJOR  from config;
//   SMT (16)               as configured;
//   reserved (17)          always one: the firmware rejects a policy with it clear;
// and what is deliberately left clear:
//   MIGRATE_MA (18)        no migration agent: nothing else may read the guest's memory;
//   DEBUG (19)             never: debug would let the host decrypt guest memory
//                          (SEV_CMD_DBG_DECRYPT), and verifiers reject DEBUG = 1;
//   SINGLE_SOCKET (20) and every higher bit (CXL, AES-256-XTS, RAPL, ciphertext hiding,
//   page swap): not requested; they restrict where the guest can run without adding to
//   what this launch path protects.
[[nodiscard]] constexpr uint64_t snp_policy(const SnpPolicyConfig& config) {
    uint64_t policy = kPolicyReservedMbo;
    policy |= static_cast<uint64_t>(config.abi_minor) << kPolicyAbiMinorShift;
    policy |= static_cast<uint64_t>(config.abi_major) << kPolicyAbiMajorShift;
    if (config.smt_allowed)
        policy |= kPolicySmt;
    return policy;
}

static_assert(snp_policy(SnpPolicyConfig{}) == 0x30000, "the common default: SMT allowed, reserved bit, ABI 0.0");
static_assert((snp_policy(SnpPolicyConfig{}) & kPolicyDebug) == 0, "debug is never requested");

}  // namespace cw::tee::snp
