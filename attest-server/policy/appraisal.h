// Appraisal: one verdict on one piece of evidence for one workload (docs/attestation-protocol.md,
// attest steps 2-4). The checks run in the protocol's order and the first failure decides:
//   1. the workload's policy lists the TEE                      else tee_not_allowed
//   2. (sim) the operator configured a sim public key           else sim_not_enabled
//   3. the evidence verifies: SNP report against the pinned ARK with the chain picked from the
//      request's certificates then the collateral directory; TDX quote with the collateral
//      directory's TCB info, QE identity and CRLs; sim report against the configured key
//                                                               else evidence_invalid
//   4. the workload's policy for that TEE accepts it            else policy_rejected
//   5. REPORT_DATA equals the expected binding (constant time)  else report_data_mismatch
// `detail` carries the verifier's or the policy's reason code.
//
// Trust: the evidence and certificates are hostile input; the policy and configuration come
// from the operator. appraise() keeps no state: it is safe to call from many threads at once
// with the same policy and configuration.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "evidence/x509/openssl_ptr.h"
#include "policy/server_collateral.h"
#include "protocol/protocol.h"
#include "policy/workload_policy.h"

namespace cw::attest::policy {

inline constexpr size_t kMaxPresentedCertificates = 8;  // VCEK/VLEK, ASK/ASVK, ARK: three are enough

struct AppraisalConfig {
    const EVP_PKEY* sim_public_key = nullptr;     // null: sim evidence refused ("sim_not_enabled")
    std::shared_ptr<const Collateral> collateral;  // null: none (TDX then fails "missing_collateral")
    std::optional<int64_t> at_time;               // pinned verification time for tests; nullopt = now
};

struct EvidenceInput {
    protocol::Tee tee = protocol::Tee::Snp;
    std::span<const uint8_t> evidence;
    std::span<const std::vector<uint8_t>> certificates;  // DER (PEM accepted), SNP only
};

struct Appraisal {
    bool ok = false;
    // "" when ok; else tee_not_allowed, sim_not_enabled, evidence_invalid, policy_rejected,
    // report_data_mismatch.
    std::string reason;
    // The verifier's or policy's code: "signature_invalid", "chain_invalid", "measurement_mismatch",
    // "tcb_status_not_accepted", "debug_not_allowed", ...; "" when ok.
    std::string detail;
    std::string message;                // one line for humans
    std::vector<uint8_t> measurement;   // SNP/sim MEASUREMENT or TDX MRTD, when parsed
    std::string tcb_status;             // TDX status name when known, else ""
};

Appraisal appraise(const EvidenceInput& input, const WorkloadPolicy& policy,
                   const std::array<uint8_t, 64>& expected_report_data, const AppraisalConfig& config);

}  // namespace cw::attest::policy
