#include "evidence/snp/snp_bindings.h"

#include <algorithm>
#include <optional>
#include <string>

#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

Result<void> compare_spl(const char* name, const std::optional<uint8_t>& cert, uint8_t reported) {
    if (!cert)
        return Error::msg(std::string("leaf certificate has no ") + name + " SPL extension");
    if (*cert != reported)
        return Error::msg(std::string(name) + " SPL: certificate says " + std::to_string(*cert) + ", REPORTED_TCB says " +
                          std::to_string(reported));
    return {};
}

}  // namespace

Result<void> check_snp_chip_id(const SnpReport& report, const SnpCertExtensions& leaf) {
    if (leaf.hwid.empty() || leaf.hwid.size() > report.wire.chip_id.size())
        return Error::msg("VCEK hwID has " + std::to_string(leaf.hwid.size()) + " bytes");
    std::span<const uint8_t> chip(report.wire.chip_id.data(), leaf.hwid.size());
    if (!std::equal(chip.begin(), chip.end(), leaf.hwid.begin(), leaf.hwid.end()))
        return Error::msg("CHIP_ID " + to_hex_lower(chip) + " is not the VCEK hwID " + to_hex_lower(leaf.hwid) +
                          (report.mask_chip_key ? " (MASK_CHIP_KEY is set: a masked CHIP_ID cannot be matched)" : ""));
    return {};
}

Result<void> check_snp_reported_tcb(const SnpTcb& reported, const SnpCertExtensions& leaf, SnpProduct product) {
    if (product == SnpProduct::Turin)
        CW_TRY(compare_spl("FMC", leaf.fmc_spl, reported.fmc));
    CW_TRY(compare_spl("boot loader", leaf.bl_spl, reported.boot_loader));
    CW_TRY(compare_spl("TEE", leaf.tee_spl, reported.tee));
    CW_TRY(compare_spl("SNP", leaf.snp_spl, reported.snp));
    CW_TRY(compare_spl("microcode", leaf.ucode_spl, reported.microcode));
    return {};
}

}  // namespace cw::attest
