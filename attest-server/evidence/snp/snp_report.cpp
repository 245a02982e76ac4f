#include "evidence/snp/snp_report.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

std::string hex_offset(size_t offset) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out = "0x";
    for (int shift = 8; shift >= 0; shift -= 4)
        out.push_back(kDigits[(offset >> shift) & 0xF]);
    return out;
}

std::string hex_u64(uint64_t value) {
    std::array<uint8_t, 8> big_endian{};
    for (size_t i = 0; i < big_endian.size(); ++i)
        big_endian[i] = static_cast<uint8_t>(value >> (8 * (7 - i)));
    return to_hex_upper(big_endian);
}

// Fails when any byte of [begin, end) of the raw report is non-zero.
Result<void> must_be_zero(std::span<const uint8_t> bytes, size_t begin, size_t end, const char* what) {
    auto range = bytes.subspan(begin, end - begin);
    auto it = std::find_if(range.begin(), range.end(), [](uint8_t b) { return b != 0; });
    if (it != range.end()) {
        size_t at = begin + static_cast<size_t>(it - range.begin());
        return Error::msg(std::string("SNP report: reserved ") + what + " (" + hex_offset(begin) + "-" +
                          hex_offset(end - 1) + ") must be zero, byte " + hex_offset(at) + " is " +
                          to_hex_upper(range.subspan(static_cast<size_t>(it - range.begin()), 1)));
    }
    return {};
}

SnpGuestPolicy decode_policy(uint64_t raw) {
    auto bit = [raw](unsigned n) { return ((raw >> n) & 1) != 0; };
    return SnpGuestPolicy{.raw = raw,
                          .abi_minor = static_cast<uint8_t>(raw),
                          .abi_major = static_cast<uint8_t>(raw >> 8),
                          .smt = bit(16),
                          .migrate_ma = bit(18),
                          .debug = bit(kSnpPolicyDebugBit),
                          .single_socket = bit(20),
                          .cxl_allow = bit(21),
                          .mem_aes_256_xts = bit(22),
                          .rapl_dis = bit(23),
                          .ciphertext_hiding = bit(24),
                          .page_swap_disable = bit(25)};
}

Result<void> check_reserved(std::span<const uint8_t> bytes, uint32_t version) {
    CW_TRY(must_be_zero(bytes, 0x04C, 0x050, "KEY_INFO upper word"));
    CW_TRY(must_be_zero(bytes, version >= 3 ? 0x18B : 0x188, 0x1A0, version >= 3 ? "after CPUID" : "CPUID (version 2)"));
    CW_TRY(must_be_zero(bytes, 0x1EB, 0x1EC, "CURRENT version byte 3"));
    CW_TRY(must_be_zero(bytes, 0x1EF, 0x1F0, "COMMITTED version byte 3"));
    CW_TRY(must_be_zero(bytes, version >= 5 ? 0x208 : 0x1F8, kSnpSignedSize,
                        version >= 5 ? "tail of signed region" : "mitigation vectors (before version 5)"));
    CW_TRY(must_be_zero(bytes, 0x2A0 + kSnpP384IntegerSize, 0x2E8, "SIGNATURE.R high bytes"));
    CW_TRY(must_be_zero(bytes, 0x2E8 + kSnpP384IntegerSize, 0x330, "SIGNATURE.S high bytes"));
    CW_TRY(must_be_zero(bytes, 0x330, kSnpReportSize, "after signature"));
    return {};
}

}  // namespace

Result<SnpReport> parse_snp_report(std::span<const uint8_t> bytes) {
    if (bytes.size() != kSnpReportSize)
        return Error::msg("SNP report: " + std::to_string(bytes.size()) + " bytes, expected " +
                          std::to_string(kSnpReportSize));
    SnpReport report{};
    std::memcpy(&report.wire, bytes.data(), kSnpReportSize);
    const SnpReportWire& w = report.wire;

    if (w.version < kSnpMinVersion || w.version > kSnpMaxVersion)
        return Error::msg("SNP report: VERSION " + std::to_string(w.version) + " is not supported (2..5)");
    if (w.signature_algo != kSnpSigAlgoEcdsaP384Sha384)
        return Error::msg("SNP report: SIGNATURE_ALGO " + std::to_string(w.signature_algo) +
                          " is not 1 (ECDSA P-384 with SHA-384)");
    if ((w.policy & kSnpPolicyReservedOne) == 0)
        return Error::msg("SNP report: POLICY bit 17 is reserved and must be 1");
    if ((w.policy & kSnpPolicyMbzMask) != 0)
        return Error::msg("SNP report: POLICY bits 63:26 are reserved and must be 0, policy is 0x" + hex_u64(w.policy));
    if ((w.key_info >> 5) != 0)
        return Error::msg("SNP report: KEY_INFO bits 31:5 are reserved and must be 0");
    uint32_t signing_key = (w.key_info >> 2) & 7;
    if (signing_key != 0 && signing_key != 1 && signing_key != 7)
        return Error::msg("SNP report: KEY_INFO.SIGNING_KEY " + std::to_string(signing_key) + " is reserved");
    CW_TRY(check_reserved(bytes, w.version));

    report.policy = decode_policy(w.policy);
    report.signing_key = static_cast<SnpSigningKey>(signing_key);
    report.author_key_en = (w.key_info & 1) != 0;
    report.mask_chip_key = (w.key_info & 2) != 0;
    if (w.version >= 3)
        report.cpuid_product = snp_product_from_cpuid(w.cpuid_fam_id, w.cpuid_mod_id);
    return report;
}

}  // namespace cw::attest
