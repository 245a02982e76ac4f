// SEV-SNP report verification: pinned ARK -> ASK/ASVK -> VCEK/VLEK, the report signature, and
// the report/certificate bindings (attestation-facts 1.5 steps 1-5). Policy (debug, VMPL,
// measurement, minimum TCB) is separate: snp_policy.h.
//
// Trust: only the pinned ARK fingerprints (snp_roots.h) and the verification time. Every
// certificate and the report itself are attacker-supplied until the checks here pass.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "evidence/snp/snp_cert_ext.h"
#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_tcb.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

// The certificates presented with a report. `leaf_slot` says where the caller got the leaf
// (the extended-report GUID, a CLI flag): a VLEK offered in the VCEK slot, or the reverse, fails
// (microsoft/TEE-Attestation-Verification #142).
struct SnpCertChain {
    X509* ark = nullptr;
    X509* intermediate = nullptr;  // ASK (SEV-<product>) for a VCEK, ASVK (SEV-VLEK-<product>) for a VLEK
    X509* leaf = nullptr;          // VCEK or VLEK
    SnpLeafKind leaf_slot = SnpLeafKind::Vcek;
};

struct SnpVerifyOptions {
    std::optional<int64_t> at_time;         // seconds since the epoch; nullopt = now
    std::span<X509_CRL* const> crls = {};   // KDS CRLs; non-empty => required for every chain link
};

// Machine-readable reasons, in the order the checks run (the first failure is reported).
enum class SnpReason {
    Ok,
    MalformedReport,     // parse_snp_report refused it
    UnsignedReport,      // SIGNING_KEY = 7 (none)
    MissingCertificate,  // ARK, intermediate or leaf not given
    UntrustedRoot,       // ARK fingerprint not pinned
    ChainInvalid,        // OpenSSL verify error in x509_error
    BadCertExtensions,   // leaf CN/extensions malformed
    CertKindMismatch,    // leaf is a VLEK in the VCEK slot or vice versa
    SigningKeyMismatch,  // report's SIGNING_KEY names the other key type
    ProductMismatch,     // ARK, leaf product name and report CPUID disagree
    SignatureInvalid,    // ECDSA P-384 over 0x000-0x29F
    ChipIdMismatch,      // VCEK: CHIP_ID != hwID
    TcbMismatch,         // leaf SPL extensions != REPORTED_TCB
};
std::string_view snp_reason_code(SnpReason reason);  // "ok", "malformed_report", "chain_invalid", ...

enum class CheckState { NotRun, Passed, Failed, NotApplicable };
std::string_view check_state_name(CheckState state);  // "not_run", "passed", "failed", "not_applicable"

struct SnpChecks {
    CheckState report_format = CheckState::NotRun;
    CheckState root_pinned = CheckState::NotRun;
    CheckState chain = CheckState::NotRun;
    CheckState leaf_kind = CheckState::NotRun;   // leaf certificate type == slot == SIGNING_KEY
    CheckState product = CheckState::NotRun;
    CheckState signature = CheckState::NotRun;
    CheckState chip_id = CheckState::NotRun;     // NotApplicable for VLEK
    CheckState reported_tcb = CheckState::NotRun;
};

struct SnpVerdict {
    SnpReason reason = SnpReason::MalformedReport;
    std::string message;  // why the first failing check failed; "" when ok
    int x509_error = 0;   // OpenSSL verify error number when reason == ChainInvalid
    SnpChecks checks;
    // Filled in as far as verification got; trust them only when ok().
    std::optional<SnpReport> report;
    SnpProduct product = SnpProduct::Unknown;
    std::optional<SnpTcb> reported_tcb;
    std::optional<SnpCertExtensions> leaf;

    [[nodiscard]] bool ok() const { return reason == SnpReason::Ok; }
};

SnpVerdict verify_snp_report(std::span<const uint8_t> report_bytes, const SnpCertChain& chain,
                             const SnpVerifyOptions& options = {});

}  // namespace cw::attest
