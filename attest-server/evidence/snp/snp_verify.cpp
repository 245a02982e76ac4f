#include "evidence/snp/snp_verify.h"

#include <string>

#include "evidence/snp/snp_bindings.h"
#include "evidence/snp/snp_roots.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/chain.h"
#include "evidence/x509/signature.h"

namespace cw::attest {

std::string_view snp_reason_code(SnpReason reason) {
    switch (reason) {
    case SnpReason::Ok: return "ok";
    case SnpReason::MalformedReport: return "malformed_report";
    case SnpReason::UnsignedReport: return "unsigned_report";
    case SnpReason::MissingCertificate: return "missing_certificate";
    case SnpReason::UntrustedRoot: return "untrusted_root";
    case SnpReason::ChainInvalid: return "chain_invalid";
    case SnpReason::BadCertExtensions: return "bad_cert_extensions";
    case SnpReason::CertKindMismatch: return "cert_kind_mismatch";
    case SnpReason::SigningKeyMismatch: return "signing_key_mismatch";
    case SnpReason::ProductMismatch: return "product_mismatch";
    case SnpReason::SignatureInvalid: return "signature_invalid";
    case SnpReason::ChipIdMismatch: return "chip_id_mismatch";
    case SnpReason::TcbMismatch: return "tcb_mismatch";
    }
    return "unknown";
}

std::string_view check_state_name(CheckState state) {
    switch (state) {
    case CheckState::NotRun: return "not_run";
    case CheckState::Passed: return "passed";
    case CheckState::Failed: return "failed";
    case CheckState::NotApplicable: return "not_applicable";
    }
    return "unknown";
}

namespace {

std::string_view kind_name(SnpLeafKind kind) { return kind == SnpLeafKind::Vcek ? "VCEK" : "VLEK"; }

SnpVerdict fail(SnpVerdict&& verdict, SnpReason reason, CheckState& check, std::string message) {
    check = CheckState::Failed;
    verdict.reason = reason;
    verdict.message = std::move(message);
    return std::move(verdict);
}

// The product must be the same whichever source names it: the pinned ARK, the leaf's
// product-name extension and (version 3+) the report's CPUID fields.
Result<void> check_product(SnpProduct ark, const SnpCertExtensions& leaf, const SnpReport& report) {
    if (leaf.product != ark)
        return Error::msg("leaf certificate is for " + leaf.product_name + " but the ARK is " +
                          std::string(snp_product_name(ark)));
    if (report.wire.version >= 3 && report.cpuid_product != ark)
        return Error::msg("report CPUID (family 0x" + to_hex_upper(std::span(&report.wire.cpuid_fam_id, 1)) +
                          ", model 0x" + to_hex_upper(std::span(&report.wire.cpuid_mod_id, 1)) + ") is " +
                          std::string(snp_product_name(report.cpuid_product)) + ", the ARK is " +
                          std::string(snp_product_name(ark)));
    return {};
}

Result<void> check_signature(const SnpReport& report, const X509* leaf) {
    EvpPkeyPtr key = CW_TRY(cert_public_key(leaf));
    return verify_ecdsa(key.get(), EcCurve::P384, HashAlg::Sha384, report.signed_bytes(), report.wire.signature_r,
                        report.wire.signature_s, ByteOrder::LittleEndian);
}

}  // namespace

SnpVerdict verify_snp_report(std::span<const uint8_t> report_bytes, const SnpCertChain& chain,
                             const SnpVerifyOptions& options) {
    SnpVerdict v;
    SnpChecks& c = v.checks;
    auto parsed = parse_snp_report(report_bytes);
    if (!parsed.ok())
        return fail(std::move(v), SnpReason::MalformedReport, c.report_format, parsed.error().message());
    c.report_format = CheckState::Passed;
    v.report = std::move(parsed).value();
    const SnpReport& report = *v.report;
    if (report.signing_key == SnpSigningKey::None)
        return fail(std::move(v), SnpReason::UnsignedReport, c.signature, "KEY_INFO.SIGNING_KEY is 7: the report is unsigned");

    if (chain.ark == nullptr || chain.intermediate == nullptr || chain.leaf == nullptr)
        return fail(std::move(v), SnpReason::MissingCertificate, c.chain,
                    "ARK, ASK/ASVK and VCEK/VLEK certificates are all required");
    SnpProduct ark_product = snp_pinned_ark_product(chain.ark);
    if (ark_product == SnpProduct::Unknown)
        return fail(std::move(v), SnpReason::UntrustedRoot, c.root_pinned,
                    "ARK " + subject_line(chain.ark) + " (SHA-256 " + to_hex_upper(cert_sha256_fingerprint(chain.ark)) +
                        ") is not a pinned AMD root");
    c.root_pinned = CheckState::Passed;

    // AMD chains have no AKI: never X509_STRICT here (it fails them with error 85).
    X509* untrusted[] = {chain.intermediate};
    X509* trusted[] = {chain.ark};
    ChainResult chain_result = verify_chain(chain.leaf, untrusted, trusted,
                                            ChainOptions{.at_time = options.at_time, .x509_strict = false,
                                                         .check_root_signature = true, .crls = options.crls});
    if (!chain_result.ok()) {
        v.x509_error = chain_result.verify_error();
        return fail(std::move(v), SnpReason::ChainInvalid, c.chain, chain_result.error().message());
    }
    c.chain = CheckState::Passed;

    auto ext = parse_snp_cert_extensions(chain.leaf);
    if (!ext.ok())
        return fail(std::move(v), SnpReason::BadCertExtensions, c.leaf_kind, ext.error().message());
    v.leaf = std::move(ext).value();
    const SnpCertExtensions& leaf = *v.leaf;
    if (leaf.kind != chain.leaf_slot)
        return fail(std::move(v), SnpReason::CertKindMismatch, c.leaf_kind,
                    "a " + std::string(kind_name(leaf.kind)) + " certificate was presented as the " +
                        std::string(kind_name(chain.leaf_slot)));
    auto report_kind = report.signing_key == SnpSigningKey::Vcek ? SnpLeafKind::Vcek : SnpLeafKind::Vlek;
    if (report_kind != leaf.kind)
        return fail(std::move(v), SnpReason::SigningKeyMismatch, c.leaf_kind,
                    "the report's KEY_INFO.SIGNING_KEY names the " + std::string(kind_name(report_kind)) + ", but a " +
                        std::string(kind_name(leaf.kind)) + " was presented");
    c.leaf_kind = CheckState::Passed;

    if (auto r = check_product(ark_product, leaf, report); !r.ok())
        return fail(std::move(v), SnpReason::ProductMismatch, c.product, r.error().message());
    c.product = CheckState::Passed;
    v.product = ark_product;

    if (auto r = check_signature(report, chain.leaf); !r.ok())
        return fail(std::move(v), SnpReason::SignatureInvalid, c.signature,
                    "report signature over 0x000-0x29F: " + r.error().message());
    c.signature = CheckState::Passed;

    if (leaf.kind == SnpLeafKind::Vcek) {
        if (auto r = check_snp_chip_id(report, leaf); !r.ok())
            return fail(std::move(v), SnpReason::ChipIdMismatch, c.chip_id, r.error().message());
        c.chip_id = CheckState::Passed;
    } else {
        c.chip_id = CheckState::NotApplicable;  // VLEKs are not chip-specific; CHIP_ID is usually zero
    }

    auto tcb = decode_snp_tcb(report.wire.reported_tcb, ark_product);
    if (!tcb.ok())
        return fail(std::move(v), SnpReason::TcbMismatch, c.reported_tcb, tcb.error().message());
    v.reported_tcb = tcb.value();
    if (auto r = check_snp_reported_tcb(*v.reported_tcb, leaf, ark_product); !r.ok())
        return fail(std::move(v), SnpReason::TcbMismatch, c.reported_tcb, "REPORTED_TCB vs certificate: " + r.error().message());
    c.reported_tcb = CheckState::Passed;

    v.reason = SnpReason::Ok;
    return v;
}

}  // namespace cw::attest
