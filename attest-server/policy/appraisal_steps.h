// The per-TEE halves of appraise() (appraisal.h), internal to this library. Each verifies the
// evidence and applies the TEE's policy section, recording the first failure in `out`, and
// returns the evidence's REPORT_DATA only when both passed; appraise() then checks the binding.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/appraisal.h"

namespace cw::attest::policy {

using ReportData = std::array<uint8_t, 64>;

void refuse(Appraisal& out, std::string_view reason, std::string_view detail, std::string message);

std::optional<ReportData> appraise_snp(const EvidenceInput& in, const SnpPolicyRequirements& req,
                                       const AppraisalConfig& config, Appraisal& out);
std::optional<ReportData> appraise_sim(const EvidenceInput& in, const SnpPolicyRequirements& req,
                                       const AppraisalConfig& config, Appraisal& out);
std::optional<ReportData> appraise_tdx(const EvidenceInput& in, const TdxPolicy& policy,
                                       const AppraisalConfig& config, Appraisal& out);

}  // namespace cw::attest::policy
