#include "evidence/tdx/tdx_verify.h"

#include <algorithm>
#include <cstring>

#include "evidence/tdx/tdx_pck.h"
#include "evidence/tdx/tdx_quote.h"
#include "evidence/tdx/tdx_quote_crypto.h"
#include "evidence/tdx/tdx_verify_collateral.h"
#include "evidence/x509/chain.h"

namespace cw::attest {

namespace {

template <size_t N>
std::array<uint8_t, N> arr(const uint8_t (&bytes)[N]) {
    std::array<uint8_t, N> out{};
    std::copy(std::begin(bytes), std::end(bytes), out.begin());
    return out;
}

TdxQuoteFields fields_of(const TdxQuote& q) {
    TdxQuoteFields f;
    f.version = q.header.version;
    f.body_type = q.body_type;
    f.tee_tcb_svn = arr(q.body.tee_tcb_svn);
    f.mrseam = arr(q.body.mrseam);
    f.mrsignerseam = arr(q.body.mrsignerseam);
    f.seam_attributes = arr(q.body.seam_attributes);
    f.td_attributes = q.td_attributes();
    f.debug = q.debug();
    f.xfam = q.xfam();
    f.mrtd = arr(q.body.mrtd);
    f.mrconfigid = arr(q.body.mrconfigid);
    f.mrowner = arr(q.body.mrowner);
    f.mrownerconfig = arr(q.body.mrownerconfig);
    for (size_t i = 0; i < f.rtmr.size(); ++i)
        f.rtmr[i] = arr(q.body.rtmr[i]);
    f.report_data = arr(q.body.report_data);
    if (q.body15) {
        f.tee_tcb_svn2 = q.body15->tee_tcb_svn2;
        f.mrservicetd = q.body15->mrservicetd;
    }
    f.qe_isvsvn = q.qe_report.isvsvn;
    f.trailing_bytes = q.trailing_bytes;
    f.trailing_all_zero = q.trailing_all_zero;
    return f;
}

// Unsupported (a valid header we do not verify) versus malformed (anything else).
TdxReason parse_failure_reason(std::span<const uint8_t> bytes) {
    if (bytes.size() < sizeof(tdx_wire::QuoteHeader))
        return TdxReason::MalformedQuote;
    tdx_wire::QuoteHeader header;
    std::memcpy(&header, bytes.data(), sizeof(header));
    return check_tdx_quote_header(header) ? TdxReason::MalformedQuote : TdxReason::UnsupportedQuote;
}

// The CRLs given, parsed; a CRL that does not parse is invalid collateral.
bool parse_crls(const TdxCollateral& collateral, TdxCrls& crls, TdxVerdict& v) {
    if (!collateral.pck_crl.empty()) {
        auto crl = parse_crl(collateral.pck_crl);
        if (!crl) {
            v.fail(TdxReason::CollateralInvalid, "PCK CRL: " + crl.error().message());
            return false;
        }
        crls.pck = std::move(*crl);
    }
    if (!collateral.root_ca_crl.empty()) {
        auto crl = parse_crl(collateral.root_ca_crl);
        if (!crl) {
            v.fail(TdxReason::CollateralInvalid, "root CA CRL: " + crl.error().message());
            return false;
        }
        crls.root = std::move(*crl);
    }
    return true;
}

// Steps 1-4 of the chain of trust inside the quote; returns the verified PCK chain.
std::optional<IntelChain> verify_quote_links(const TdxQuote& quote, const TdxCrls& crls,
                                             const TdxVerifyOptions& options, TdxVerdict& v) {
    if (auto r = verify_quote_signature(quote); !r) {
        v.fail(TdxReason::QuoteSignature, r.error().message());
        return std::nullopt;
    }
    v.quote_signature_ok = true;
    if (auto r = check_qe_report_binding(quote); !r) {
        v.fail(TdxReason::QeReportBinding, r.error().message());
        return std::nullopt;
    }
    v.qe_binding_ok = true;
    auto chain = parse_pck_chain(quote.pck_chain_pem);
    if (!chain) {
        v.fail(TdxReason::PckChain, chain.error().message());
        return std::nullopt;
    }
    std::vector<X509_CRL*> crl_list;
    for (X509_CRL* crl : {crls.pck.get(), crls.root.get()})
        if (crl != nullptr)
            crl_list.push_back(crl);
    ChainResult verified = verify_intel_chain(*chain, crl_list, options.at_time);
    if (!verified) {
        v.fail(TdxReason::PckChain, "PCK " + verified.error().message(), verified.verify_error());
        return std::nullopt;
    }
    v.pck_chain_ok = true;
    v.revocation_checked = crls.pck && crls.root;
    if (auto r = verify_qe_report_signature(quote, chain->leaf()); !r) {
        v.fail(TdxReason::QeReportSignature, r.error().message());
        return std::nullopt;
    }
    v.qe_report_signature_ok = true;
    return std::move(*chain);
}

}  // namespace

TdxVerdict verify_tdx_quote(std::span<const uint8_t> bytes, const TdxCollateral& collateral,
                            const TdxVerifyOptions& options) {
    TdxVerdict v;
    auto quote = parse_tdx_quote(bytes);
    if (!quote) {
        v.fail(parse_failure_reason(bytes), "TDX quote: " + quote.error().message());
        return v;
    }
    v.fields = fields_of(*quote);
    TdxCrls crls;
    if (!parse_crls(collateral, crls, v))
        return v;
    auto chain = verify_quote_links(*quote, crls, options, v);
    if (!chain)
        return v;
    auto pck = pck_leaf_extensions(chain->leaf());
    if (!pck) {
        v.fail(TdxReason::PckExtensions, "PCK certificate: " + pck.error().message());
        return v;
    }
    v.pck = *pck;
    verify_with_collateral(*quote, *pck, collateral, crls, options.at_time, v);
    return v;
}

}  // namespace cw::attest
