// The SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP Firmware ABI, doc 56860, "ATTESTATION_REPORT
// Structure"; offsets cross-checked in attestation-facts 1.1 against GSG, VSEV and trustee by
// verifying real signatures) and its parser.
//
// Trust: parse_snp_report only checks the report is well formed. Nothing in it is trustworthy
// until snp_verify.h has verified the signature and the certificate chain.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "base/result.h"
#include "evidence/snp/snp_tcb.h"

namespace cw::attest {

inline constexpr size_t kSnpReportSize = 0x4A0;     // 1184 bytes
inline constexpr size_t kSnpSignedSize = 0x2A0;     // the signature covers bytes 0x000-0x29F
inline constexpr uint32_t kSnpMinVersion = 2;
inline constexpr uint32_t kSnpMaxVersion = 5;
inline constexpr uint32_t kSnpSigAlgoEcdsaP384Sha384 = 1;
inline constexpr size_t kSnpSignatureFieldSize = 72;  // R and S, little-endian, zero-extended
inline constexpr size_t kSnpP384IntegerSize = 48;     // the used low bytes of each field

// Byte-for-byte image of the report. Integers are little-endian (checked below for the host).
struct SnpReportWire {
    uint32_t version;                          // 0x000 2..5
    uint32_t guest_svn;                        // 0x004
    uint64_t policy;                           // 0x008 guest policy (SnpGuestPolicy)
    std::array<uint8_t, 16> family_id;         // 0x010 from the ID block
    std::array<uint8_t, 16> image_id;          // 0x020
    uint32_t vmpl;                             // 0x030 VMPL of the requesting guest
    uint32_t signature_algo;                   // 0x034 1 = ECDSA P-384 with SHA-384
    uint64_t current_tcb;                      // 0x038 TCB_VERSION
    uint64_t platform_info;                    // 0x040
    uint32_t key_info;                         // 0x048 bit0 AUTHOR_KEY_EN, bit1 MASK_CHIP_KEY, 4:2 SIGNING_KEY
    uint32_t reserved_04c;                     // 0x04C MBZ
    std::array<uint8_t, 64> report_data;       // 0x050 guest supplied
    std::array<uint8_t, 48> measurement;       // 0x090 launch digest
    std::array<uint8_t, 32> host_data;         // 0x0C0 host supplied at LAUNCH_FINISH
    std::array<uint8_t, 48> id_key_digest;     // 0x0E0
    std::array<uint8_t, 48> author_key_digest; // 0x110
    std::array<uint8_t, 32> report_id;         // 0x140
    std::array<uint8_t, 32> report_id_ma;      // 0x160
    uint64_t reported_tcb;                     // 0x180 the TCB the VCEK is derived from
    uint8_t cpuid_fam_id;                      // 0x188 version 3+; reserved (MBZ) in version 2
    uint8_t cpuid_mod_id;                      // 0x189 version 3+
    uint8_t cpuid_step;                        // 0x18A version 3+
    std::array<uint8_t, 21> reserved_18b;      // 0x18B-0x19F MBZ
    std::array<uint8_t, 64> chip_id;           // 0x1A0 VCEK hwID; zero with MASK_CHIP_KEY or VLEK
    uint64_t committed_tcb;                    // 0x1E0
    uint8_t current_build;                     // 0x1E8
    uint8_t current_minor;                     // 0x1E9
    uint8_t current_major;                     // 0x1EA
    uint8_t reserved_1eb;                      // 0x1EB MBZ
    uint8_t committed_build;                   // 0x1EC
    uint8_t committed_minor;                   // 0x1ED
    uint8_t committed_major;                   // 0x1EE
    uint8_t reserved_1ef;                      // 0x1EF MBZ
    uint64_t launch_tcb;                       // 0x1F0
    uint64_t launch_mit_vector;                // 0x1F8 version 5+; reserved (MBZ) before
    uint64_t current_mit_vector;               // 0x200 version 5+; reserved (MBZ) before
    std::array<uint8_t, 0x98> reserved_208;    // 0x208-0x29F MBZ
    std::array<uint8_t, 72> signature_r;       // 0x2A0 little-endian; bytes 48..71 MBZ
    std::array<uint8_t, 72> signature_s;       // 0x2E8 little-endian; bytes 48..71 MBZ
    std::array<uint8_t, 0x170> reserved_330;   // 0x330-0x49F MBZ
};

static_assert(std::endian::native == std::endian::little, "SnpReportWire is read by memcpy from a little-endian format");
static_assert(sizeof(SnpReportWire) == kSnpReportSize);
static_assert(std::is_standard_layout_v<SnpReportWire> && std::is_trivially_copyable_v<SnpReportWire>);
static_assert(offsetof(SnpReportWire, policy) == 0x008);
static_assert(offsetof(SnpReportWire, vmpl) == 0x030);
static_assert(offsetof(SnpReportWire, signature_algo) == 0x034);
static_assert(offsetof(SnpReportWire, key_info) == 0x048);
static_assert(offsetof(SnpReportWire, report_data) == 0x050);
static_assert(offsetof(SnpReportWire, measurement) == 0x090);
static_assert(offsetof(SnpReportWire, host_data) == 0x0C0);
static_assert(offsetof(SnpReportWire, id_key_digest) == 0x0E0);
static_assert(offsetof(SnpReportWire, report_id) == 0x140);
static_assert(offsetof(SnpReportWire, reported_tcb) == 0x180);
static_assert(offsetof(SnpReportWire, cpuid_fam_id) == 0x188);
static_assert(offsetof(SnpReportWire, chip_id) == 0x1A0);
static_assert(offsetof(SnpReportWire, committed_tcb) == 0x1E0);
static_assert(offsetof(SnpReportWire, launch_tcb) == 0x1F0);
static_assert(offsetof(SnpReportWire, current_mit_vector) == 0x200);
static_assert(offsetof(SnpReportWire, signature_r) == kSnpSignedSize);
static_assert(offsetof(SnpReportWire, signature_s) == 0x2E8);
static_assert(offsetof(SnpReportWire, reserved_330) == 0x330);

// POLICY (ABI "Guest Policy"): bits 7:0 ABI_MINOR, 15:8 ABI_MAJOR, 16 SMT, 17 reserved (must be
// 1), 18 MIGRATE_MA, 19 DEBUG, 20 SINGLE_SOCKET, 21 CXL_ALLOW, 22 MEM_AES_256_XTS, 23 RAPL_DIS,
// 24 CIPHERTEXT_HIDING, 25 PAGE_SWAP_DISABLE, 63:26 reserved (MBZ).
struct SnpGuestPolicy {
    uint64_t raw = 0;
    uint8_t abi_minor = 0;
    uint8_t abi_major = 0;
    bool smt = false;
    bool migrate_ma = false;
    bool debug = false;
    bool single_socket = false;
    bool cxl_allow = false;
    bool mem_aes_256_xts = false;
    bool rapl_dis = false;
    bool ciphertext_hiding = false;
    bool page_swap_disable = false;
};
inline constexpr unsigned kSnpPolicyDebugBit = 19;
inline constexpr uint64_t kSnpPolicyReservedOne = uint64_t{1} << 17;
inline constexpr uint64_t kSnpPolicyMbzMask = ~((uint64_t{1} << 26) - 1);

// KEY_INFO.SIGNING_KEY: which key signed the report (2-6 are reserved and rejected).
enum class SnpSigningKey : uint8_t { Vcek = 0, Vlek = 1, None = 7 };

struct SnpReport {
    SnpReportWire wire;  // exactly the bytes received
    SnpGuestPolicy policy;
    SnpSigningKey signing_key = SnpSigningKey::None;
    bool author_key_en = false;
    bool mask_chip_key = false;
    // From CPUID_FAM_ID/CPUID_MOD_ID (version 3+). Unknown for version 2: the product then
    // comes from the VCEK/VLEK product-name extension (see snp_verify.h).
    SnpProduct cpuid_product = SnpProduct::Unknown;

    // The 672 signed bytes, 0x000-0x29F.
    [[nodiscard]] std::span<const uint8_t, kSnpSignedSize> signed_bytes() const {
        return std::span<const uint8_t, kSnpSignedSize>(reinterpret_cast<const uint8_t*>(&wire), kSnpSignedSize);
    }
};

// Checks, in order, naming the offending field and offset on failure: exact size 0x4A0;
// VERSION 2..5; SIGNATURE_ALGO 1; POLICY bit 17 set and bits 63:26 clear; KEY_INFO bits 31:5
// clear and SIGNING_KEY in {0, 1, 7}; and every reserved range zero for the report's version:
// 0x04C-0x04F, 0x188-0x19F (v2) or 0x18B-0x19F (v3+), 0x1EB, 0x1EF, 0x1F8-0x29F (v2-v4) or
// 0x208-0x29F (v5), R/S bytes 48-71, 0x330-0x49F. PLATFORM_INFO reserved bits are not checked:
// firmware adds platform flags without bumping the report version, and the field is unsigned
// by policy here (informational).
Result<SnpReport> parse_snp_report(std::span<const uint8_t> bytes);

}  // namespace cw::attest
