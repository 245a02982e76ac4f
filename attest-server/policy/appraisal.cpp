#include "policy/appraisal.h"

#include <openssl/crypto.h>

#include "policy/appraisal_steps.h"

namespace cw::attest::policy {

void refuse(Appraisal& out, std::string_view reason, std::string_view detail, std::string message) {
    out.ok = false;
    out.reason = reason;
    out.detail = detail;
    out.message = std::move(message);
}

namespace {

// A TEE listed without its section can only come from a hand-built policy (the parser refuses
// it); the empty sections used then refuse every measurement. (By reference: no copy per call.)
std::optional<ReportData> appraise_tee(const EvidenceInput& in, const WorkloadPolicy& policy,
                                       const AppraisalConfig& config, Appraisal& out) {
    static const SnpPolicyRequirements no_snp_section{};
    static const TdxPolicy no_tdx_section{};
    switch (in.tee) {
    case protocol::Tee::Snp: return appraise_snp(in, policy.snp ? *policy.snp : no_snp_section, config, out);
    case protocol::Tee::Sim: return appraise_sim(in, policy.sim ? *policy.sim : no_snp_section, config, out);
    case protocol::Tee::Tdx: return appraise_tdx(in, policy.tdx ? *policy.tdx : no_tdx_section, config, out);
    }
    refuse(out, "tee_not_allowed", "", "unknown TEE");
    return std::nullopt;
}

}  // namespace

Appraisal appraise(const EvidenceInput& in, const WorkloadPolicy& policy, const ReportData& expected_report_data,
                   const AppraisalConfig& config) {
    Appraisal out;
    if (!policy_allows(policy, in.tee)) {
        refuse(out, "tee_not_allowed", "",
               "the workload's policy does not allow TEE '" + std::string(protocol::tee_name(in.tee)) + "'");
        return out;
    }
    std::optional<ReportData> report_data = appraise_tee(in, policy, config, out);
    if (!report_data)
        return out;
    // Constant time: the expected value is public per session, but a timing oracle on a
    // security comparison is not worth reasoning about.
    if (CRYPTO_memcmp(report_data->data(), expected_report_data.data(), report_data->size()) != 0) {
        refuse(out, "report_data_mismatch", "",
               "REPORT_DATA is not the binding of this session's nonce and the given public key");
        return out;
    }
    out.ok = true;
    out.reason.clear();
    out.detail.clear();
    out.message.clear();
    return out;
}

}  // namespace cw::attest::policy
