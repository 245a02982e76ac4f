// appraise() for SEV-SNP and sim evidence: both are SNP-layout reports judged by the same
// policy code; they differ in who vouches for the signing key (AMD's chain, or the operator's
// configured sim key).
#include <vector>

#include "collateral/snp_chain_select.h"
#include "evidence/snp/sim_report.h"
#include "evidence/snp/snp_policy.h"
#include "evidence/snp/snp_verify.h"
#include "evidence/x509/cert.h"
#include "policy/appraisal_steps.h"

namespace cw::attest::policy {

namespace {

// Step 4 on a report whose signature verified. The binding is compared by appraise(), after
// the policy, so a policy that carries one (hand-built) has it dropped here.
std::optional<ReportData> apply_snp_policy(const SnpReport& report, SnpProduct product,
                                           const SnpPolicyRequirements& req, Appraisal& out) {
    SnpPolicyVerdict verdict;
    if (req.report_data) {
        SnpPolicyRequirements without_binding = req;
        without_binding.report_data.reset();
        verdict = evaluate_snp_policy(report, product, without_binding);
    } else {
        verdict = evaluate_snp_policy(report, product, req);
    }
    if (!verdict.ok()) {
        refuse(out, "policy_rejected", snp_policy_reason_code(verdict.reason), verdict.message);
        return std::nullopt;
    }
    return report.wire.report_data;
}

// The presented certificates (parsed per request: they are the client's) followed by the
// collateral directory's (parsed once at start); chain selection prefers the former.
struct CertPool {
    std::vector<X509Ptr> presented;
    std::vector<collateral::SnpCertCandidate> candidates;
};

bool build_pool(const EvidenceInput& in, const Collateral* coll, CertPool& pool, Appraisal& out) {
    if (in.certificates.size() > kMaxPresentedCertificates) {
        refuse(out, "evidence_invalid", "too_many_certificates",
               std::to_string(in.certificates.size()) + " certificates presented, at most " +
                   std::to_string(kMaxPresentedCertificates));
        return false;
    }
    pool.presented.reserve(in.certificates.size());
    for (size_t i = 0; i < in.certificates.size(); ++i) {
        auto cert = parse_cert(in.certificates[i]);
        if (!cert.ok()) {
            drain_openssl_errors();
            refuse(out, "evidence_invalid", "malformed_certificate",
                   "certificates[" + std::to_string(i) + "]: " + cert.error().to_string());
            return false;
        }
        pool.presented.push_back(std::move(cert).value());
        pool.candidates.push_back({pool.presented.back().get(), "certificates[" + std::to_string(i) + "]"});
    }
    if (coll != nullptr)
        pool.candidates.insert(pool.candidates.end(), coll->snp.certs.begin(), coll->snp.certs.end());
    return true;
}

}  // namespace

std::optional<ReportData> appraise_snp(const EvidenceInput& in, const SnpPolicyRequirements& req,
                                       const AppraisalConfig& config, Appraisal& out) {
    const Collateral* coll = config.collateral.get();
    CertPool pool;
    if (!build_pool(in, coll, pool, out))
        return std::nullopt;
    std::optional<SnpReport> parsed;
    if (auto report = parse_snp_report(in.evidence); report.ok())
        parsed = std::move(report).value();
    collateral::SelectedSnpChain selected = collateral::select_snp_chain(pool.candidates, parsed);
    SnpVerifyOptions options{.at_time = config.at_time, .crls = {}};
    if (coll != nullptr)
        options.crls = coll->snp.crls;
    SnpVerdict verdict = verify_snp_report(in.evidence, selected.chain, options);
    if (verdict.report)
        out.measurement.assign(verdict.report->wire.measurement.begin(), verdict.report->wire.measurement.end());
    if (!verdict.ok()) {
        refuse(out, "evidence_invalid", snp_reason_code(verdict.reason), verdict.message);
        return std::nullopt;
    }
    return apply_snp_policy(*verdict.report, verdict.product, req, out);
}

std::optional<ReportData> appraise_sim(const EvidenceInput& in, const SnpPolicyRequirements& req,
                                       const AppraisalConfig& config, Appraisal& out) {
    if (config.sim_public_key == nullptr) {
        refuse(out, "sim_not_enabled", "", "sim evidence is refused: the server was not given a sim public key");
        return std::nullopt;
    }
    auto parsed = parse_snp_report(in.evidence);
    if (!parsed.ok()) {
        refuse(out, "evidence_invalid", "malformed_report", parsed.error().to_string());
        return std::nullopt;
    }
    out.measurement.assign(parsed->wire.measurement.begin(), parsed->wire.measurement.end());
    if (!has_sim_marker(*parsed)) {
        refuse(out, "evidence_invalid", "not_sim_evidence",
               "CHIP_ID does not carry the simulated-TEE marker or SIGNING_KEY is not 0");
        return std::nullopt;
    }
    auto verified = verify_sim_report(in.evidence, config.sim_public_key);
    if (!verified.ok()) {
        refuse(out, "evidence_invalid", "signature_invalid", verified.error().to_string());
        return std::nullopt;
    }
    return apply_snp_policy(*verified, SnpProduct::Unknown, req, out);
}

}  // namespace cw::attest::policy
