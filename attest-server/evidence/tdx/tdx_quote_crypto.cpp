#include "evidence/tdx/tdx_quote_crypto.h"

#include <algorithm>
#include <vector>

#include "evidence/x509/cert.h"
#include "evidence/x509/digest.h"
#include "evidence/x509/keys.h"
#include "evidence/x509/signature.h"

namespace cw::attest {

namespace {

// An ECDSA P-256 signature check with a P-256 key, whatever certificate it came from: a PCK or
// TCB Signing certificate with another key type is refused rather than tried.
Result<void> verify_p256(const EVP_PKEY* key, std::span<const uint8_t> message, std::span<const uint8_t> rs) {
    if (CW_TRY(ec_key_curve(key)) != EcCurve::P256)
        return Error::msg("signing key is not on P-256");
    return verify_ecdsa_concat(key, EcCurve::P256, HashAlg::Sha256, message, rs, ByteOrder::BigEndian);
}

}  // namespace

Result<void> verify_quote_signature(const TdxQuote& quote) {
    auto key = CW_TRY(ec_public_key_from_xy(EcCurve::P256, quote.attestation_key).context("attestation key"));
    return verify_p256(key.get(), quote.signed_region, quote.signature)
        .context("quote signature over " + std::to_string(quote.signed_region.size()) + " bytes of header and body");
}

Result<void> check_qe_report_binding(const TdxQuote& quote) {
    std::vector<uint8_t> bound(quote.attestation_key.begin(), quote.attestation_key.end());
    bound.insert(bound.end(), quote.qe_auth_data.begin(), quote.qe_auth_data.end());
    const Sha256Digest expected = sha256(bound);
    const uint8_t* report_data = quote.qe_report.report_data;
    if (!std::equal(expected.begin(), expected.end(), report_data))
        return Error::msg("QE report REPORTDATA[0..32) is not SHA-256(attestation key || QE auth data)");
    if (!std::all_of(report_data + 32, report_data + 64, [](uint8_t b) { return b == 0; }))
        return Error::msg("QE report REPORTDATA[32..64) is not zero");
    return {};
}

Result<void> verify_qe_report_signature(const TdxQuote& quote, const X509* pck_leaf) {
    auto key = CW_TRY(cert_public_key(pck_leaf).context("PCK certificate"));
    return verify_p256(key.get(), quote.qe_report_bytes, quote.qe_report_signature)
        .context("QE report signature by the PCK key");
}

Result<void> verify_collateral_signature(std::span<const uint8_t> body, std::span<const uint8_t> rs,
                                         const X509* signing_cert) {
    auto key = CW_TRY(cert_public_key(signing_cert).context("TCB signing certificate"));
    return verify_p256(key.get(), body, rs);
}

}  // namespace cw::attest
