#include "evidence/tdx/tdx_verdict.h"

#include <utility>

#include "evidence/x509/digest.h"

namespace cw::attest {

std::string_view tdx_reason_code(TdxReason reason) {
    switch (reason) {
    case TdxReason::Ok: return "ok";
    case TdxReason::MalformedQuote: return "malformed_quote";
    case TdxReason::UnsupportedQuote: return "unsupported_quote";
    case TdxReason::QuoteSignature: return "quote_signature";
    case TdxReason::QeReportBinding: return "qe_report_binding";
    case TdxReason::PckChain: return "pck_chain";
    case TdxReason::QeReportSignature: return "qe_report_signature";
    case TdxReason::PckExtensions: return "pck_extensions";
    case TdxReason::MissingCollateral: return "missing_collateral";
    case TdxReason::CollateralInvalid: return "collateral_invalid";
    case TdxReason::CollateralChain: return "collateral_chain";
    case TdxReason::CollateralSignature: return "collateral_signature";
    case TdxReason::CollateralExpired: return "collateral_expired";
    case TdxReason::PlatformMismatch: return "platform_mismatch";
    case TdxReason::QeIdentityMismatch: return "qe_identity_mismatch";
    case TdxReason::TdxModuleMismatch: return "tdx_module_mismatch";
    case TdxReason::TcbLevelNotSupported: return "tcb_level_not_supported";
    case TdxReason::TcbRevoked: return "tcb_revoked";
    case TdxReason::PolicyTrailingBytes: return "policy_trailing_bytes";
    case TdxReason::PolicyDebug: return "policy_debug";
    case TdxReason::PolicyTcbStatus: return "policy_tcb_status";
    case TdxReason::PolicyMeasurement: return "policy_measurement";
    case TdxReason::PolicyMrConfigId: return "policy_mrconfigid";
    case TdxReason::PolicyReportData: return "policy_report_data";
    }
    return "unknown";
}

void TdxVerdict::fail(TdxReason why, std::string what, int verify_error) {
    if (reason != TdxReason::Ok)
        return;
    reason = why;
    message = std::move(what);
    x509_error = verify_error;
}

namespace {

nlohmann::json fields_json(const TdxQuoteFields& f) {
    nlohmann::json j = {
        {"version", f.version},
        {"body_type", f.body_type},
        {"tee_tcb_svn", to_hex_lower(f.tee_tcb_svn)},
        {"mrseam", to_hex_lower(f.mrseam)},
        {"mrsignerseam", to_hex_lower(f.mrsignerseam)},
        {"seam_attributes", to_hex_lower(f.seam_attributes)},
        {"td_attributes", f.td_attributes},
        {"debug", f.debug},
        {"xfam", f.xfam},
        {"mrtd", to_hex_lower(f.mrtd)},
        {"mrconfigid", to_hex_lower(f.mrconfigid)},
        {"mrowner", to_hex_lower(f.mrowner)},
        {"mrownerconfig", to_hex_lower(f.mrownerconfig)},
        {"rtmr", nlohmann::json::array({to_hex_lower(f.rtmr[0]), to_hex_lower(f.rtmr[1]), to_hex_lower(f.rtmr[2]),
                                        to_hex_lower(f.rtmr[3])})},
        {"report_data", to_hex_lower(f.report_data)},
        {"qe_isvsvn", f.qe_isvsvn},
        {"trailing_bytes", f.trailing_bytes},
    };
    if (f.tee_tcb_svn2)
        j["tee_tcb_svn2"] = to_hex_lower(*f.tee_tcb_svn2);
    if (f.mrservicetd)
        j["mrservicetd"] = to_hex_lower(*f.mrservicetd);
    return j;
}

template <class T>
void put_status(nlohmann::json& j, const char* key, const std::optional<T>& status) {
    if (status)
        j[key] = tcb_status_name(*status);
}

}  // namespace

nlohmann::json tdx_verdict_to_json(const TdxVerdict& v) {
    nlohmann::json j = {
        {"tee", "tdx"},
        {"verified", v.ok()},
        {"reason", tdx_reason_code(v.reason)},
        {"message", v.message},
        {"checks",
         {{"quote_signature", v.quote_signature_ok},
          {"qe_report_binding", v.qe_binding_ok},
          {"pck_chain", v.pck_chain_ok},
          {"revocation_checked", v.revocation_checked},
          {"qe_report_signature", v.qe_report_signature_ok},
          {"collateral", v.collateral_ok}}},
    };
    if (v.x509_error != 0)
        j["x509_error"] = v.x509_error;
    if (v.fields)
        j["fields"] = fields_json(*v.fields);
    if (v.pck) {
        j["fmspc"] = to_hex_lower(v.pck->fmspc);
        j["pceid"] = to_hex_lower(v.pck->pceid);
        j["pcesvn"] = v.pck->pcesvn;
        j["sgx_tcb_components"] = to_hex_lower(v.pck->sgx_tcb_components);
    }
    put_status(j, "tcb_status", v.tcb_status);
    put_status(j, "platform_tcb_status", v.platform_tcb_status);
    put_status(j, "module_tcb_status", v.module_tcb_status);
    put_status(j, "qe_tcb_status", v.qe_tcb_status);
    if (!v.advisory_ids.empty())
        j["advisory_ids"] = v.advisory_ids;
    return j;
}

}  // namespace cw::attest
