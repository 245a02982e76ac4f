#include "guest-init/tee_evidence.h"

#include "guest-init/sim_report.h"
#include "guest-init/snp_cert_table.h"
#include "guest-init/tsm_report.h"

namespace cw::guest {

namespace {
constexpr size_t kSnpReportSize = 1184;  // shared/reference/attestation-facts.md 1.1
}

Result<attest::protocol::Evidence> snp_evidence_from_tsm(std::vector<uint8_t> outblob,
                                                         const std::vector<uint8_t>& auxblob) {
    if (outblob.size() != kSnpReportSize)
        return Error::msg("sev_guest outblob of " + std::to_string(outblob.size()) + " bytes, expected " +
                          std::to_string(kSnpReportSize));
    attest::protocol::Evidence ev;
    ev.bytes = std::move(outblob);
    auto certs = CW_TRY(parse_snp_cert_table(auxblob));
    for (auto& c : certs)
        ev.certificates.push_back(std::move(c.der));
    return ev;
}

attest::protocol::EvidenceProvider evidence_provider(GuestTee tee, std::string tsm_root) {
    using attest::protocol::Evidence;
    switch (tee) {
    case GuestTee::Sim:
        return [](const std::array<uint8_t, 64>& report_data) -> Result<Evidence> {
            SimReport report = CW_TRY(request_sim_report(report_data));
            return Evidence{std::vector<uint8_t>(report.begin(), report.end()), {}};
        };
    case GuestTee::Snp:
        return [root = std::move(tsm_root)](const std::array<uint8_t, 64>& report_data) -> Result<Evidence> {
            TsmReport r = CW_TRY(tsm_report(root, report_data, "sev_guest"));
            return snp_evidence_from_tsm(std::move(r.outblob), r.auxblob);
        };
    case GuestTee::Tdx:
        return [root = std::move(tsm_root)](const std::array<uint8_t, 64>& report_data) -> Result<Evidence> {
            TsmReport r = CW_TRY(tsm_report(root, report_data, "tdx_guest"));
            return Evidence{std::move(r.outblob), {}};
        };
    case GuestTee::None:
        break;
    }
    return [](const std::array<uint8_t, 64>&) -> Result<Evidence> {
        return Error::msg("no TEE: a --tee none workload has no evidence");
    };
}

}  // namespace cw::guest
