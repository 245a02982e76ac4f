#include "evidence/tdx/tdx_policy.h"

#include <algorithm>
#include <string>

#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

bool matches(const TdxMeasurement& expected, const TdxQuoteFields& f) {
    if (expected.mrtd != f.mrtd)
        return false;
    for (size_t i = 0; i < expected.rtmr.size(); ++i)
        if (expected.rtmr[i] && *expected.rtmr[i] != f.rtmr[i])
            return false;
    return true;
}

}  // namespace

void apply_tdx_policy(TdxVerdict& v, const TdxPolicy& policy) {
    if (!v.ok())
        return;
    if (!v.fields || !v.tcb_status) {  // an ok() verdict always has both; refuse rather than assume
        v.fail(TdxReason::PolicyTcbStatus, "verdict has no fields or TCB status");
        return;
    }
    const TdxQuoteFields& f = *v.fields;
    if (!f.trailing_all_zero && !policy.allow_nonzero_trailing_bytes)
        return v.fail(TdxReason::PolicyTrailingBytes,
                      std::to_string(f.trailing_bytes) + " non-zero bytes follow the quote");
    if (f.debug && !policy.allow_debug)
        return v.fail(TdxReason::PolicyDebug, "TD attributes " + std::to_string(f.td_attributes) +
                                                  " have DEBUG (bit 0) set: the host can read the TD's memory");
    const auto& ok_statuses = policy.accepted_tcb_statuses;
    if (std::find(ok_statuses.begin(), ok_statuses.end(), *v.tcb_status) == ok_statuses.end())
        return v.fail(TdxReason::PolicyTcbStatus,
                      "TCB status " + std::string(tcb_status_name(*v.tcb_status)) + " is not accepted");
    if (std::none_of(policy.allowed_measurements.begin(), policy.allowed_measurements.end(),
                     [&](const TdxMeasurement& m) { return matches(m, f); }))
        return v.fail(TdxReason::PolicyMeasurement,
                      "MRTD " + to_hex_lower(f.mrtd) + " with its RTMRs matches no registered measurement");
    if (policy.expected_mrconfigid && *policy.expected_mrconfigid != f.mrconfigid)
        return v.fail(TdxReason::PolicyMrConfigId, "MRCONFIGID " + to_hex_lower(f.mrconfigid) + " is not the expected one");
    if (policy.expected_report_data && *policy.expected_report_data != f.report_data)
        return v.fail(TdxReason::PolicyReportData, "REPORTDATA does not match the expected binding");
}

}  // namespace cw::attest
