// appraise() for TDX quotes: the quote verifier with the collateral loaded at start, then the
// workload's TDX policy, whose reasons are renamed to the protocol's policy vocabulary.
#include "evidence/tdx/tdx_policy.h"
#include "evidence/tdx/tdx_verify.h"
#include "policy/appraisal_steps.h"

namespace cw::attest::policy {

namespace {

// The same names SNP policy refusals use where the meaning is the same (docs: "Workload policy").
std::string_view tdx_policy_detail(TdxReason reason) {
    switch (reason) {
    case TdxReason::PolicyTrailingBytes: return "trailing_bytes_not_allowed";
    case TdxReason::PolicyDebug: return "debug_not_allowed";
    case TdxReason::PolicyTcbStatus: return "tcb_status_not_accepted";
    case TdxReason::PolicyMeasurement: return "measurement_mismatch";
    case TdxReason::PolicyMrConfigId: return "mrconfigid_mismatch";
    case TdxReason::PolicyReportData: return "report_data_mismatch";
    default: return tdx_reason_code(reason);
    }
}

}  // namespace

std::optional<ReportData> appraise_tdx(const EvidenceInput& in, const TdxPolicy& policy,
                                       const AppraisalConfig& config, Appraisal& out) {
    const TdxCollateral no_collateral;
    const TdxCollateral& collateral = config.collateral ? config.collateral->tdx : no_collateral;
    TdxVerdict verdict = verify_tdx_quote(in.evidence, collateral, TdxVerifyOptions{.at_time = config.at_time});
    if (verdict.fields)
        out.measurement.assign(verdict.fields->mrtd.begin(), verdict.fields->mrtd.end());
    if (verdict.tcb_status)
        out.tcb_status = tcb_status_name(*verdict.tcb_status);
    if (!verdict.ok()) {
        refuse(out, "evidence_invalid", tdx_reason_code(verdict.reason), verdict.message);
        return std::nullopt;
    }
    // The binding is appraise()'s last check, so a (hand-built) policy carrying one has it dropped.
    if (policy.expected_report_data) {
        TdxPolicy without_binding = policy;
        without_binding.expected_report_data.reset();
        apply_tdx_policy(verdict, without_binding);
    } else {
        apply_tdx_policy(verdict, policy);
    }
    if (!verdict.ok()) {
        refuse(out, "policy_rejected", tdx_policy_detail(verdict.reason), verdict.message);
        return std::nullopt;
    }
    return verdict.fields->report_data;
}

}  // namespace cw::attest::policy
