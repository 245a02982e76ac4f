// The cryptographic links inside a TDX quote (attestation-facts.md 3.2 steps 1-3):
//   PCK leaf key --signs--> QE report --REPORTDATA binds--> attestation key --signs--> header+body.
// Each check is separate so the verifier can say which link broke. None of them establishes
// trust on its own: the PCK leaf must still chain to the pinned root (tdx_pck.h).
#pragma once

#include <openssl/x509.h>

#include "base/result.h"
#include "evidence/tdx/tdx_quote.h"

namespace cw::attest {

// ECDSA P-256 / SHA-256 over quote.signed_region with the quote's attestation key (x||y).
Result<void> verify_quote_signature(const TdxQuote& quote);

// QE report REPORTDATA[0..32) == SHA-256(attestation key || QE auth data) and [32..64) zero:
// the QE vouches for this attestation key.
Result<void> check_qe_report_binding(const TdxQuote& quote);

// ECDSA P-256 / SHA-256 over the 384 QE report bytes with the PCK leaf's public key.
Result<void> verify_qe_report_signature(const TdxQuote& quote, const X509* pck_leaf);

// Raw collateral signature (r||s, big-endian) over the exact body bytes, with the signing
// certificate's key.
Result<void> verify_collateral_signature(std::span<const uint8_t> body, std::span<const uint8_t> rs,
                                         const X509* signing_cert);

}  // namespace cw::attest
