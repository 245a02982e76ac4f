// `verify --tee tdx`: the quote, collateral from the directory, the TDX verifier, the command's
// fixed policy (DEBUG, TCB status, trailing bytes) and the JSON verdict.
//
// The collateral directory is read as collateral/tdx_collateral_dir.h describes.
#include <algorithm>

#include "cli/input_files.h"
#include "cli/verify_command.h"
#include "collateral/collateral_files.h"
#include "collateral/tdx_collateral_dir.h"
#include "evidence/tdx/tcb_status.h"
#include "evidence/tdx/tdx_verify.h"
#include "evidence/x509/cert.h"

namespace cw::attest::cli {

namespace {

void apply_fixed_policy(TdxVerdict& v, const VerifyRequest& req, VerifyOutcome& out) {
    if (!v.ok() || !v.fields || !v.tcb_status)
        return;
    if (v.fields->debug) {
        if (!req.allow_debug) {
            v.fail(TdxReason::PolicyDebug, "TD attributes DEBUG is set: the host can read and change TD memory "
                                           "(--allow-debug to accept)");
            return;
        }
        out.warnings.emplace_back("accepting a debuggable TD (--allow-debug): the host can read its memory");
    }
    bool accepted = *v.tcb_status == TcbStatus::UpToDate ||
                    std::any_of(req.accepted_tcb_statuses.begin(), req.accepted_tcb_statuses.end(),
                                [&](const std::string& name) { return parse_tcb_status(name) == v.tcb_status; });
    if (!accepted) {
        v.fail(TdxReason::PolicyTcbStatus, "TCB status " + std::string(tcb_status_name(*v.tcb_status)) +
                                               " is not accepted (UpToDate; more with --accept-tcb-status)");
        return;
    }
    if (!v.fields->trailing_all_zero)
        v.fail(TdxReason::PolicyTrailingBytes,
               std::to_string(v.fields->trailing_bytes) + " non-zero bytes follow the quote (never signed)");
}

void put_summary(nlohmann::json& j, const TdxVerdict& v) {
    nlohmann::json tcb = nlohmann::json::object();
    if (v.tcb_status)
        tcb["status"] = tcb_status_name(*v.tcb_status);
    if (v.platform_tcb_status)
        tcb["platform_status"] = tcb_status_name(*v.platform_tcb_status);
    if (v.module_tcb_status)
        tcb["module_status"] = tcb_status_name(*v.module_tcb_status);
    if (v.qe_tcb_status)
        tcb["qe_status"] = tcb_status_name(*v.qe_tcb_status);
    if (v.tcb_date != 0)
        tcb["tcb_date"] = v.tcb_date;
    tcb["advisory_ids"] = v.advisory_ids;
    if (v.pck) {
        tcb["fmspc"] = to_hex_lower(v.pck->fmspc);
        tcb["pcesvn"] = v.pck->pcesvn;
    }
    if (v.fields) {
        const TdxQuoteFields& f = *v.fields;
        tcb["tee_tcb_svn"] = to_hex_lower(f.tee_tcb_svn);
        j["measurement"] = to_hex_lower(f.mrtd);
        j["rtmr"] = nlohmann::json::array({to_hex_lower(f.rtmr[0]), to_hex_lower(f.rtmr[1]), to_hex_lower(f.rtmr[2]),
                                           to_hex_lower(f.rtmr[3])});
        j["report_data"] = to_hex_lower(f.report_data);
        j["mrconfigid"] = to_hex_lower(f.mrconfigid);
        j["policy"] = {{"debug", f.debug},
                       {"td_attributes", hex_u64(f.td_attributes)},
                       {"xfam", hex_u64(f.xfam)},
                       {"trailing_bytes", f.trailing_bytes},
                       {"trailing_all_zero", f.trailing_all_zero}};
    }
    j["tcb"] = tcb;
}

}  // namespace

VerifyOutcome run_verify_tdx(const VerifyRequest& req) {
    auto quote = read_input_file(req.evidence, kMaxEvidenceSize);
    if (!quote.ok())
        return unreadable_input(req, "--evidence " + quote.error().to_string());
    std::vector<std::string> used;
    std::vector<std::string> ignored;
    TdxCollateral collateral;
    if (req.collateral_dir) {
        auto dir = collateral::scan_collateral_dir(*req.collateral_dir);
        if (!dir.ok())
            return unreadable_input(req, "--collateral " + dir.error().to_string());
        ignored = dir->ignored;
        collateral = collateral::tdx_collateral_from(*dir, used, ignored);
    }

    VerifyOutcome out;
    TdxVerdict v = verify_tdx_quote(*quote, collateral, TdxVerifyOptions{.at_time = req.at});
    bool verified_before_policy = v.ok();
    apply_fixed_policy(v, req, out);

    out.verdict = tdx_verdict_to_json(v);  // tee, verified, reason, message, checks, fields, ...
    out.verdict["checks"]["policy"] = !verified_before_policy ? "not_run" : v.ok() ? "passed" : "failed";
    out.verdict["at"] = req.at;
    out.verdict["collateral_used"] = used;
    if (!ignored.empty())
        out.verdict["collateral_ignored"] = ignored;
    put_summary(out.verdict, v);
    out.exit_code = v.ok() ? kExitVerified : kExitRejected;
    return out;
}

}  // namespace cw::attest::cli
