// The outcome of verifying a TDX quote: the first failure as a machine-readable reason code
// with a message, which verification links held, and the policy-relevant fields of the quote.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/tdx/sgx_pck_extensions.h"
#include "evidence/tdx/tcb_status.h"

namespace cw::attest {

// In verification order; the first failing check decides the reason.
enum class TdxReason {
    Ok,
    MalformedQuote,          // structure or lengths wrong; truncated
    UnsupportedQuote,        // well-formed but not an Intel TDX ECDSA quote we verify
    QuoteSignature,          // attestation key did not sign header + body
    QeReportBinding,         // QE REPORTDATA does not bind the attestation key
    PckChain,                // PCK chain malformed, not to the pinned root, expired, revoked
    QeReportSignature,       // PCK leaf did not sign the QE report
    PckExtensions,           // SGX extension of the PCK leaf missing or malformed
    MissingCollateral,       // no TCB info for the FMSPC, no QE identity, or no CRLs
    CollateralInvalid,       // collateral present but malformed
    CollateralChain,         // TCB signing chain malformed, not pinned, expired, revoked
    CollateralSignature,     // TCB info / QE identity signature does not verify over the raw bytes
    CollateralExpired,       // TCB info / QE identity outside issueDate .. nextUpdate
    PlatformMismatch,        // TCB info FMSPC / PCE-ID differ from the PCK certificate's
    QeIdentityMismatch,      // QE report does not match the QE identity (or no QE TCB level)
    TdxModuleMismatch,       // MRSIGNERSEAM / SEAM attributes / module identity mismatch
    TcbLevelNotSupported,    // no TCB level matches the platform
    TcbRevoked,              // the matching level (platform, module or QE) is Revoked
    PolicyTrailingBytes,     // non-zero bytes after the quote and the policy refuses them
    PolicyDebug,             // TD attributes DEBUG set
    PolicyTcbStatus,         // TCB status not among the accepted ones
    PolicyMeasurement,       // MRTD / RTMRs not among the registered values
    PolicyMrConfigId,
    PolicyReportData,
};

// "ok", "malformed_quote", "quote_signature", "tcb_level_not_supported", "policy_debug", ...
std::string_view tdx_reason_code(TdxReason reason);

using Digest48 = std::array<uint8_t, 48>;

// Fields a policy decides on. Trust them only when the verdict is ok (or at least
// quote_signature_ok and pck_chain_ok): before that they are what the quote claims.
struct TdxQuoteFields {
    uint16_t version = 0;
    uint16_t body_type = 0;
    std::array<uint8_t, 16> tee_tcb_svn{};
    std::optional<std::array<uint8_t, 16>> tee_tcb_svn2;  // body type 3
    Digest48 mrseam{};
    Digest48 mrsignerseam{};
    std::array<uint8_t, 8> seam_attributes{};
    uint64_t td_attributes = 0;
    bool debug = false;                                   // td_attributes bit 0
    uint64_t xfam = 0;
    Digest48 mrtd{};
    Digest48 mrconfigid{};
    Digest48 mrowner{};
    Digest48 mrownerconfig{};
    std::array<Digest48, 4> rtmr{};
    std::optional<Digest48> mrservicetd;                  // body type 3
    std::array<uint8_t, 64> report_data{};
    uint16_t qe_isvsvn = 0;
    size_t trailing_bytes = 0;                            // after the quote; never signed
    bool trailing_all_zero = true;
};

struct TdxVerdict {
    TdxReason reason = TdxReason::Ok;
    std::string message;
    int x509_error = 0;  // OpenSSL verify error of a failed chain (10 expired, 12 CRL expired, ...)

    // Which links held (each implies the ones before it in verification order).
    bool quote_signature_ok = false;
    bool qe_binding_ok = false;
    bool pck_chain_ok = false;
    bool revocation_checked = false;  // the PCK chain was checked against both CRLs
    bool qe_report_signature_ok = false;
    bool collateral_ok = false;       // TCB info and QE identity verified and current

    std::optional<TdxQuoteFields> fields;
    std::optional<SgxPckExtensions> pck;
    std::optional<TcbStatus> tcb_status;           // worse of platform/module and QE
    std::optional<TcbStatus> platform_tcb_status;  // matching TCB info level
    std::optional<TcbStatus> module_tcb_status;    // tdxModuleIdentities level (TDX 1.5)
    std::optional<TcbStatus> qe_tcb_status;        // QE identity level
    int64_t tcb_date = 0;
    std::vector<std::string> advisory_ids;

    [[nodiscard]] bool ok() const { return reason == TdxReason::Ok; }
    // Records the first failure only: later calls leave it unchanged.
    void fail(TdxReason why, std::string what, int verify_error = 0);
};

// One JSON object for the operator command and audit logs: reason code, message, links,
// fields (hex), FMSPC, TCB statuses.
nlohmann::json tdx_verdict_to_json(const TdxVerdict& verdict);

}  // namespace cw::attest
