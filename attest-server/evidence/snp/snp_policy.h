// Workload policy over a verified SEV-SNP report (attestation-facts 1.5 steps 6-7): what the
// registered workload accepts. Evaluate it only on a report whose SnpVerdict is ok() (or a sim
// report that verify_sim_report accepted): policy over unverified bytes means nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_tcb.h"

namespace cw::attest {

using SnpMeasurement = std::array<uint8_t, 48>;

struct SnpPolicyRequirements {
    // Fail closed: an empty list refuses every report (a workload without a registered launch
    // digest has nothing to compare against).
    std::vector<SnpMeasurement> allowed_measurements;
    bool allow_debug = false;       // POLICY.DEBUG lets the host read guest memory
    bool allow_migrate_ma = false;  // a migration agent can export guest state
    std::optional<uint32_t> required_vmpl = 0;  // nullopt accepts any VMPL
    uint32_t min_guest_svn = 0;
    uint8_t min_abi_major = 0;      // POLICY.ABI_MAJOR.ABI_MINOR, compared as a pair
    uint8_t min_abi_minor = 0;
    // Component-wise minimum of REPORTED_TCB (FMC is compared on Turin only).
    std::optional<SnpTcb> min_reported_tcb;
    std::optional<std::array<uint8_t, 32>> host_data;
    std::optional<std::array<uint8_t, 64>> report_data;
};

enum class SnpPolicyReason {
    Ok,
    DebugNotAllowed,
    MigrationAgentNotAllowed,
    VmplMismatch,
    GuestSvnTooLow,
    AbiTooLow,
    TcbUnknownProduct,
    TcbTooLow,
    NoMeasurementConfigured,
    MeasurementMismatch,
    HostDataMismatch,
    ReportDataMismatch,
};
std::string_view snp_policy_reason_code(SnpPolicyReason reason);  // "debug_not_allowed", ...

struct SnpPolicyVerdict {
    SnpPolicyReason reason = SnpPolicyReason::Ok;
    std::string message;
    [[nodiscard]] bool ok() const { return reason == SnpPolicyReason::Ok; }
};

// `product` decodes REPORTED_TCB (SnpVerdict::product); Unknown only fails when a minimum TCB
// is configured.
SnpPolicyVerdict evaluate_snp_policy(const SnpReport& report, SnpProduct product, const SnpPolicyRequirements& req);

}  // namespace cw::attest
