#include "evidence/snp/snp_policy.h"

#include <algorithm>

#include "evidence/x509/digest.h"

namespace cw::attest {

std::string_view snp_policy_reason_code(SnpPolicyReason reason) {
    switch (reason) {
    case SnpPolicyReason::Ok: return "ok";
    case SnpPolicyReason::DebugNotAllowed: return "debug_not_allowed";
    case SnpPolicyReason::MigrationAgentNotAllowed: return "migration_agent_not_allowed";
    case SnpPolicyReason::VmplMismatch: return "vmpl_mismatch";
    case SnpPolicyReason::GuestSvnTooLow: return "guest_svn_too_low";
    case SnpPolicyReason::AbiTooLow: return "abi_too_low";
    case SnpPolicyReason::TcbUnknownProduct: return "tcb_unknown_product";
    case SnpPolicyReason::TcbTooLow: return "tcb_too_low";
    case SnpPolicyReason::NoMeasurementConfigured: return "no_measurement_configured";
    case SnpPolicyReason::MeasurementMismatch: return "measurement_mismatch";
    case SnpPolicyReason::HostDataMismatch: return "host_data_mismatch";
    case SnpPolicyReason::ReportDataMismatch: return "report_data_mismatch";
    }
    return "unknown";
}

namespace {

SnpPolicyVerdict refuse(SnpPolicyReason reason, std::string message) { return {reason, std::move(message)}; }

std::string tcb_string(const SnpTcb& t) {
    return "fmc " + std::to_string(t.fmc) + ", bl " + std::to_string(t.boot_loader) + ", tee " + std::to_string(t.tee) +
           ", snp " + std::to_string(t.snp) + ", ucode " + std::to_string(t.microcode);
}

SnpPolicyVerdict check_tcb(const SnpReport& report, SnpProduct product, const SnpTcb& minimum) {
    auto tcb = decode_snp_tcb(report.wire.reported_tcb, product);
    if (!tcb.ok())
        return refuse(SnpPolicyReason::TcbUnknownProduct, "minimum TCB configured: " + tcb.error().message());
    SnpTcb floor = minimum;
    if (product != SnpProduct::Turin)
        floor.fmc = 0;  // no FMC component before Turin
    if (!snp_tcb_at_least(tcb.value(), floor))
        return refuse(SnpPolicyReason::TcbTooLow,
                      "REPORTED_TCB (" + tcb_string(tcb.value()) + ") is below the minimum (" + tcb_string(floor) + ")");
    return {};
}

}  // namespace

SnpPolicyVerdict evaluate_snp_policy(const SnpReport& report, SnpProduct product, const SnpPolicyRequirements& req) {
    const SnpReportWire& w = report.wire;
    if (report.policy.debug && !req.allow_debug)
        return refuse(SnpPolicyReason::DebugNotAllowed, "guest POLICY has DEBUG (bit 19) set: the host can read guest memory");
    if (report.policy.migrate_ma && !req.allow_migrate_ma)
        return refuse(SnpPolicyReason::MigrationAgentNotAllowed, "guest POLICY has MIGRATE_MA (bit 18) set");
    if (req.required_vmpl && w.vmpl != *req.required_vmpl)
        return refuse(SnpPolicyReason::VmplMismatch, "report was requested at VMPL " + std::to_string(w.vmpl) +
                                                         ", policy requires VMPL " + std::to_string(*req.required_vmpl));
    if (w.guest_svn < req.min_guest_svn)
        return refuse(SnpPolicyReason::GuestSvnTooLow, "GUEST_SVN " + std::to_string(w.guest_svn) + " is below " +
                                                           std::to_string(req.min_guest_svn));
    if (std::pair(report.policy.abi_major, report.policy.abi_minor) < std::pair(req.min_abi_major, req.min_abi_minor))
        return refuse(SnpPolicyReason::AbiTooLow,
                      "guest POLICY ABI " + std::to_string(report.policy.abi_major) + "." +
                          std::to_string(report.policy.abi_minor) + " is below " + std::to_string(req.min_abi_major) +
                          "." + std::to_string(req.min_abi_minor));
    if (req.min_reported_tcb) {
        if (SnpPolicyVerdict v = check_tcb(report, product, *req.min_reported_tcb); !v.ok())
            return v;
    }
    if (req.allowed_measurements.empty())
        return refuse(SnpPolicyReason::NoMeasurementConfigured, "no expected MEASUREMENT is registered: refusing");
    if (std::find(req.allowed_measurements.begin(), req.allowed_measurements.end(), w.measurement) ==
        req.allowed_measurements.end())
        return refuse(SnpPolicyReason::MeasurementMismatch,
                      "MEASUREMENT " + to_hex_lower(w.measurement) + " is not one of the registered launch digests");
    if (req.host_data && *req.host_data != w.host_data)
        return refuse(SnpPolicyReason::HostDataMismatch, "HOST_DATA " + to_hex_lower(w.host_data) + " is not the expected " +
                                                             to_hex_lower(*req.host_data));
    if (req.report_data && *req.report_data != w.report_data)
        return refuse(SnpPolicyReason::ReportDataMismatch, "REPORT_DATA does not carry the expected binding (got " +
                                                               to_hex_lower(w.report_data) + ")");
    return {};
}

}  // namespace cw::attest
