// TDX verification collateral, from files (never fetched by this library): TCB info per FMSPC,
// QE identity, their PCS issuer chain, and the PCK and root CA CRLs (Intel PCS API v4,
// attestation-facts.md 3.3). Operators fetch these from PCS or a PCCS and drop them in the
// collateral directory; tests use shared/vectors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "base/result.h"
#include "evidence/tdx/tdx_verdict.h"

namespace cw::attest {

struct TdxCollateral {
    // Raw `/tdx/certification/v4/tcb` bodies, any number (one per FMSPC); the one whose fmspc
    // equals the PCK certificate's is used.
    std::vector<std::string> tcb_infos;
    // Raw `/tdx/certification/v4/qe/identity` body; empty = absent.
    std::string qe_identity;
    // URL-decoded `TCB-Info-Issuer-Chain` / `SGX-Enclave-Identity-Issuer-Chain` (PEM: TCB Signing
    // certificate, root). Intel uses one chain for both; a separate QE identity chain may be
    // given, else the TCB info chain is used for both.
    std::string tcb_info_issuer_chain;
    std::string qe_identity_issuer_chain;
    // `/sgx/certification/v4/pckcrl?ca=platform|processor` and the Intel SGX Root CA CRL,
    // DER or PEM; empty = absent (verification then stops at "missing collateral").
    std::vector<uint8_t> pck_crl;
    std::vector<uint8_t> root_ca_crl;
};

// Paths of collateral files; an empty path means "not provided".
struct TdxCollateralFiles {
    std::vector<std::string> tcb_infos;
    std::string qe_identity;
    std::string tcb_info_issuer_chain;
    std::string qe_identity_issuer_chain;
    std::string pck_crl;
    std::string root_ca_crl;
};

// Reads the files (each at most 1 MiB); errors name the path. Contents are not checked here.
Result<TdxCollateral> load_tdx_collateral(const TdxCollateralFiles& files);

// The outcome of checking one signed PCS document.
struct SignedCollateralCheck {
    TdxReason reason = TdxReason::Ok;
    std::string message;
    int x509_error = 0;
    std::string_view body;  // the verified raw body value (a view into the document)
    [[nodiscard]] bool ok() const { return reason == TdxReason::Ok; }
};

// Splits `{"<body_key>": ..., "signature": ...}`, verifies the issuer chain (TCB Signing ->
// pinned root; against the root CA CRL when given) at `at_time` (nullopt = now), and the ECDSA
// P-256 signature over the exact raw bytes of the body value. The body's validity window is
// checked by the caller once parsed.
SignedCollateralCheck verify_signed_collateral(std::string_view document, std::string_view body_key,
                                               std::string_view issuer_chain_pem, X509_CRL* root_ca_crl,
                                               std::optional<int64_t> at_time);

}  // namespace cw::attest
