#include "evidence/tdx/tdx_collateral.h"

#include "evidence/tdx/signed_json.h"
#include "evidence/tdx/tdx_pck.h"
#include "evidence/tdx/tdx_quote_crypto.h"
#include "evidence/x509/cert.h"

namespace cw::attest {

namespace {

Result<std::string> read_text(const std::string& path) {
    if (path.empty())
        return std::string();
    auto bytes = CW_TRY(read_file_bytes(path, kMaxCollateralJsonSize));
    return std::string(bytes.begin(), bytes.end());
}

Result<std::vector<uint8_t>> read_bytes(const std::string& path) {
    if (path.empty())
        return std::vector<uint8_t>();
    return read_file_bytes(path, kMaxCollateralJsonSize);
}

SignedCollateralCheck failure(TdxReason reason, std::string message, int x509_error = 0) {
    return SignedCollateralCheck{reason, std::move(message), x509_error, {}};
}

}  // namespace

Result<TdxCollateral> load_tdx_collateral(const TdxCollateralFiles& files) {
    TdxCollateral out;
    for (const auto& path : files.tcb_infos)
        out.tcb_infos.push_back(CW_TRY(read_text(path)));
    out.qe_identity = CW_TRY(read_text(files.qe_identity));
    out.tcb_info_issuer_chain = CW_TRY(read_text(files.tcb_info_issuer_chain));
    out.qe_identity_issuer_chain = CW_TRY(read_text(files.qe_identity_issuer_chain));
    out.pck_crl = CW_TRY(read_bytes(files.pck_crl));
    out.root_ca_crl = CW_TRY(read_bytes(files.root_ca_crl));
    return out;
}

SignedCollateralCheck verify_signed_collateral(std::string_view document, std::string_view body_key,
                                               std::string_view issuer_chain_pem, X509_CRL* root_ca_crl,
                                               std::optional<int64_t> at_time) {
    const std::string what(body_key);
    auto split = split_signed_json(document, body_key);
    if (!split)
        return failure(TdxReason::CollateralInvalid, split.error().message());
    if (issuer_chain_pem.empty())
        return failure(TdxReason::MissingCollateral, what + ": no issuer chain (TCB Signing certificate) given");
    auto chain = parse_tcb_signing_chain(issuer_chain_pem);
    if (!chain)
        return failure(TdxReason::CollateralChain, what + " issuer: " + chain.error().message());
    X509_CRL* crls[] = {root_ca_crl};
    std::span<X509_CRL* const> crl_span = root_ca_crl != nullptr ? std::span<X509_CRL* const>(crls)
                                                                 : std::span<X509_CRL* const>();
    ChainResult verified = verify_intel_chain(*chain, crl_span, at_time);
    if (!verified)
        return failure(TdxReason::CollateralChain, what + " issuer: " + verified.error().message(),
                       verified.verify_error());
    const std::string_view body = split->body;
    std::span<const uint8_t> body_bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    if (auto sig = verify_collateral_signature(body_bytes, split->signature, chain->leaf()); !sig)
        return failure(TdxReason::CollateralSignature,
                       what + " signature over its " + std::to_string(body.size()) + " raw bytes: " + sig.error().message());
    return SignedCollateralCheck{TdxReason::Ok, {}, 0, body};
}

}  // namespace cw::attest
