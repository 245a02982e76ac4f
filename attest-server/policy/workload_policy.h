// A workload's registered policy: which TEEs it may run on and, per TEE, the launch
// measurements and platform requirements its evidence must meet (docs/attestation-protocol.md,
// "Workload policy"). The operator registers it as JSON through the admin API; the store keeps
// the canonical JSON form and the server parses it for each appraisal.
//
// Trust: the JSON comes from an authenticated operator, but it is still parsed strictly (a typo
// must not silently disable a check): unknown fields, wrong types, duplicate keys, bad hex sizes
// and missing measurements are refused, naming the field path. Nothing here carries the
// per-request REPORT_DATA binding: appraisal.h checks that, never the stored policy.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/snp/snp_policy.h"
#include "evidence/tdx/tdx_policy.h"
#include "protocol/protocol.h"

namespace cw::attest::policy {

inline constexpr size_t kMaxPolicyJsonSize = 64 << 10;  // a policy is a few hundred bytes
inline constexpr size_t kMaxMeasurements = 64;          // per TEE section

struct WorkloadPolicy {
    std::vector<protocol::Tee> tees;                  // at least one, no duplicates, in enum order
    std::optional<SnpPolicyRequirements> snp;   // report_data always unset
    std::optional<TdxPolicy> tdx;               // expected_report_data always unset
    std::optional<SnpPolicyRequirements> sim;   // measurements and host_data; debug off, VMPL 0
};

// Strict parse of the policy object; errors name the field path, e.g.
// "policy.snp.measurements[1]: expected 96 hex characters".
Result<WorkloadPolicy> parse_workload_policy(std::string_view json);

// The canonical form: compact JSON, keys sorted, every defaulted field spelled out, hex in
// lowercase. parse_workload_policy(workload_policy_to_json(p)) gives p back.
std::string workload_policy_to_json(const WorkloadPolicy& policy);

// Whether `tee` is listed in the policy's "tee".
bool policy_allows(const WorkloadPolicy& policy, protocol::Tee tee);

}  // namespace cw::attest::policy
