#include "evidence/tdx/tdx_verify_collateral.h"

#include <algorithm>
#include <ctime>

#include "evidence/tdx/signed_json.h"
#include "evidence/tdx/tdx_qe_identity.h"
#include "evidence/tdx/tdx_tcb_eval.h"
#include "evidence/tdx/tdx_tcb_info.h"
#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

// The first TCB info document for this FMSPC, or nullptr when none is; nullopt once a failure
// is recorded. Documents are opened (not yet trusted) only to read their fmspc; one that cannot
// be read is invalid collateral rather than silently skipped.
std::optional<const std::string*> find_tcb_info(const TdxCollateral& collateral, const std::array<uint8_t, 6>& fmspc,
                                                TdxVerdict& v) {
    for (size_t i = 0; i < collateral.tcb_infos.size(); ++i) {
        const std::string& doc = collateral.tcb_infos[i];
        auto split = split_signed_json(doc, "tcbInfo");
        auto info = split ? parse_tcb_info(split->body) : Result<TcbInfo>(split.error());
        if (!info) {
            v.fail(TdxReason::CollateralInvalid, "TCB info #" + std::to_string(i) + ": " + info.error().message());
            return std::nullopt;
        }
        if (info->fmspc == fmspc)
            return &doc;
    }
    return nullptr;
}

bool check_window(std::string_view what, int64_t issue_date, int64_t next_update, int64_t now, TdxVerdict& v) {
    if (now < issue_date || now > next_update) {
        v.fail(TdxReason::CollateralExpired, std::string(what) + " is valid from " + std::to_string(issue_date) +
                                                 " to " + std::to_string(next_update) + ", not at " + std::to_string(now));
        return false;
    }
    return true;
}

// Signature, chain and validity of one document; returns its parsed body.
template <class T, class Parse>
std::optional<T> verified_document(std::string_view doc, std::string_view key, std::string_view chain,
                                   const TdxCrls& crls, std::optional<int64_t> at_time, Parse parse, TdxVerdict& v) {
    SignedCollateralCheck check = verify_signed_collateral(doc, key, chain, crls.root.get(), at_time);
    if (!check.ok()) {
        v.fail(check.reason, check.message, check.x509_error);
        return std::nullopt;
    }
    auto parsed = parse(check.body);
    if (!parsed) {
        v.fail(TdxReason::CollateralInvalid, parsed.error().message());
        return std::nullopt;
    }
    const int64_t now = at_time.value_or(static_cast<int64_t>(std::time(nullptr)));
    if (!check_window(key, parsed->issue_date, parsed->next_update, now, v))
        return std::nullopt;
    return std::move(*parsed);
}

TdxTcbInput tcb_input(const TdxQuote& quote, const std::array<uint8_t, 16>& svn) {
    TdxTcbInput in;
    in.tee_tcb_svn = svn;
    std::copy(std::begin(quote.body.mrsignerseam), std::end(quote.body.mrsignerseam), in.mrsignerseam.begin());
    std::copy(std::begin(quote.body.seam_attributes), std::end(quote.body.seam_attributes), in.seam_attributes.begin());
    return in;
}

// TDX module and TCB level. A TDX 1.5 body also carries TEE_TCB_SVN2, the module running now
// after a TD-preserving update (TEE_TCB_SVN is the one the TD launched under); when it is set
// and differs, both are evaluated and the worse status counts (Intel's QVL reports "relaunch
// advised" instead: we fail closed).
bool evaluate_tcb(const TdxQuote& quote, const SgxPckExtensions& pck, const TcbInfo& info, TdxVerdict& v) {
    std::vector<TdxTcbInput> inputs;
    std::array<uint8_t, 16> launch{};
    std::copy(std::begin(quote.body.tee_tcb_svn), std::end(quote.body.tee_tcb_svn), launch.begin());
    inputs.push_back(tcb_input(quote, launch));
    if (quote.body15) {
        const auto& svn2 = quote.body15->tee_tcb_svn2;
        if (svn2 != launch && std::any_of(svn2.begin(), svn2.end(), [](uint8_t b) { return b != 0; }))
            inputs.push_back(tcb_input(quote, svn2));
    }
    for (const TdxTcbInput& in : inputs) {
        if (auto r = check_tdx_module(info, in); !r) {
            v.fail(TdxReason::TdxModuleMismatch, r.error().message());
            return false;
        }
        auto level = match_tcb_level(info, pck, in);
        if (!level) {
            v.fail(TdxReason::TcbLevelNotSupported, level.error().message());
            return false;
        }
        if (!v.platform_tcb_status || level->status > *v.tcb_status) {
            v.platform_tcb_status = level->platform_status;
            v.module_tcb_status = level->module_status;
            v.tcb_status = level->status;
            v.tcb_date = level->tcb_date;
            v.advisory_ids = level->advisory_ids;
        }
    }
    return true;
}

bool check_presence(const std::string* tcb_doc, const SgxPckExtensions& pck, const TdxCollateral& c, TdxVerdict& v) {
    std::string missing;
    auto note = [&](const std::string& what) { missing += (missing.empty() ? "" : ", ") + what; };
    if (tcb_doc == nullptr)
        note("TCB info for FMSPC " + to_hex_lower(pck.fmspc));
    if (c.qe_identity.empty())
        note("QE identity");
    if (c.tcb_info_issuer_chain.empty())
        note("TCB info issuer chain");
    if (c.pck_crl.empty())
        note("PCK CRL");
    if (c.root_ca_crl.empty())
        note("root CA CRL");
    if (!missing.empty())
        v.fail(TdxReason::MissingCollateral, "missing collateral: " + missing);
    return missing.empty();
}

}  // namespace

void verify_with_collateral(const TdxQuote& quote, const SgxPckExtensions& pck, const TdxCollateral& collateral,
                            const TdxCrls& crls, std::optional<int64_t> at_time, TdxVerdict& v) {
    auto tcb_doc = find_tcb_info(collateral, pck.fmspc, v);
    if (!tcb_doc || !check_presence(*tcb_doc, pck, collateral, v))
        return;
    auto info = verified_document<TcbInfo>(**tcb_doc, "tcbInfo", collateral.tcb_info_issuer_chain, crls, at_time,
                                           parse_tcb_info, v);
    if (!info)
        return;
    const std::string& qe_chain =
        collateral.qe_identity_issuer_chain.empty() ? collateral.tcb_info_issuer_chain : collateral.qe_identity_issuer_chain;
    auto identity = verified_document<QeIdentity>(collateral.qe_identity, "enclaveIdentity", qe_chain, crls, at_time,
                                                  parse_qe_identity, v);
    if (!identity)
        return;
    v.collateral_ok = true;

    if (auto r = check_tcb_info_platform(*info, pck); !r)
        return v.fail(TdxReason::PlatformMismatch, r.error().message());
    auto qe_status = match_qe_identity(quote.qe_report, *identity);
    if (!qe_status)
        return v.fail(TdxReason::QeIdentityMismatch, qe_status.error().message());
    v.qe_tcb_status = *qe_status;
    if (!evaluate_tcb(quote, pck, *info, v))
        return;
    v.tcb_status = worse_tcb_status(*v.tcb_status, *qe_status);
    if (*v.tcb_status == TcbStatus::Revoked)
        v.fail(TdxReason::TcbRevoked, "TCB status is Revoked (platform " +
                                          std::string(tcb_status_name(*v.platform_tcb_status)) + ", QE " +
                                          std::string(tcb_status_name(*qe_status)) + ")");
}

}  // namespace cw::attest
