#include "evidence/snp/sim_report.h"

#include <algorithm>
#include <cstring>

#include "evidence/x509/signature.h"

namespace cw::attest {

namespace {

std::array<uint8_t, 64> sim_chip_id() {
    static_assert(kSimChipIdMarker.size() <= 64);
    std::array<uint8_t, 64> chip{};
    std::copy(kSimChipIdMarker.begin(), kSimChipIdMarker.end(), chip.begin());
    return chip;
}

}  // namespace

Result<SnpReportBytes> create_sim_report(const SimReportInput& input, const EVP_PKEY* host_private_key) {
    SnpReportWire w{};
    w.version = kSimReportVersion;
    w.guest_svn = input.guest_svn;
    w.policy = kSimPolicy;
    w.vmpl = 0;
    w.signature_algo = kSnpSigAlgoEcdsaP384Sha384;
    w.key_info = 0;
    w.report_data = input.report_data;
    w.measurement = input.measurement;
    w.host_data = input.host_data;
    w.chip_id = sim_chip_id();

    SnpReportBytes out{};
    std::memcpy(out.data(), &w, sizeof w);
    auto signature = CW_TRY(sign_ecdsa(host_private_key, EcCurve::P384, HashAlg::Sha384,
                                       std::span(out).first(kSnpSignedSize), kSnpSignatureFieldSize,
                                       ByteOrder::LittleEndian)
                                .context("signing sim report"));
    std::copy(signature.r.begin(), signature.r.end(), out.begin() + offsetof(SnpReportWire, signature_r));
    std::copy(signature.s.begin(), signature.s.end(), out.begin() + offsetof(SnpReportWire, signature_s));
    return out;
}

bool has_sim_marker(const SnpReport& report) {
    return report.wire.chip_id == sim_chip_id() && report.signing_key == SnpSigningKey::Vcek;
}

Result<SnpReport> verify_sim_report(std::span<const uint8_t> bytes, const EVP_PKEY* host_public_key) {
    SnpReport report = CW_TRY(parse_snp_report(bytes).context("sim report"));
    if (!has_sim_marker(report))
        return Error::msg("sim report: CHIP_ID does not carry the simulated-TEE marker or KEY_INFO.SIGNING_KEY is not 0");
    CW_TRY(verify_ecdsa(host_public_key, EcCurve::P384, HashAlg::Sha384, report.signed_bytes(), report.wire.signature_r,
                        report.wire.signature_s, ByteOrder::LittleEndian)
               .context("sim report signature (host key)"));
    return report;
}

}  // namespace cw::attest
