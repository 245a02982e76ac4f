// The SEV-SNP PAGE_INFO structure: what the firmware hashes into the launch digest for
// every 4 KiB page given to SNP_LAUNCH_UPDATE. SEV Secure Nested Paging Firmware ABI
// Specification (AMD pub. 56860, rev. 1.51), section 8.17 SNP_LAUNCH_UPDATE; the same layout
// as virtee/sev-snp-measure gctx.py (shared/vectors/snp-launch-digest.md).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace cw::tee {

inline constexpr uint64_t kSnpPageSize = 0x1000;

// PAGE_TYPE values. KVM's KVM_SEV_SNP_PAGE_TYPE_* use the same numbers; KVM has no VMSA
// type in its uAPI because it measures the VMSA pages itself, at SNP_LAUNCH_FINISH.
enum class SnpPageType : uint8_t {
    Normal = 1,      // measured: CONTENTS = SHA-384 of the page
    Vmsa = 2,        // a vCPU's initial save area: CONTENTS = SHA-384 of the VMSA page
    Zero = 3,        // zero-filled by the firmware; contents not hashed
    Unmeasured = 4,  // encrypted but not measured
    Secrets = 5,     // filled by the firmware (VMPCKs); contents not hashed
    Cpuid = 6,       // CPUID table checked by the firmware; contents not hashed
};

// "NORMAL", "VMSA", ... as the specification spells them.
[[nodiscard]] std::string_view snp_page_type_name(SnpPageType type);
// True for the types whose page contents are hashed (NORMAL and VMSA).
[[nodiscard]] constexpr bool snp_page_type_has_contents(SnpPageType type) {
    return type == SnpPageType::Normal || type == SnpPageType::Vmsa;
}

// The GPA KVM gives every VMSA page in the RMP, hence in PAGE_INFO, whatever the vCPU
// (INITIAL_VMSA_GPA in arch/x86/kvm/svm/sev.c; sev-snp-measure uses the same value).
inline constexpr uint64_t kSnpVmsaGpa = 0x0000FFFFFFFFF000;

// Hashed as its in-memory bytes, so the layout below is the wire format: all fields are
// little-endian and naturally aligned, with no padding.
struct SnpPageInfo {
    std::array<uint8_t, 48> digest_cur;  // 0x00: launch digest before this page
    std::array<uint8_t, 48> contents;    // 0x30: SHA-384 of the page, or zeros (see SnpPageType)
    uint16_t length;                     // 0x60: sizeof(SnpPageInfo) = 0x70
    uint8_t page_type;                   // 0x62: SnpPageType
    uint8_t imi_page;                    // 0x63: 1 for pages of an initial migration image; we use 0
    uint8_t vmpl3_perms;                 // 0x64: VMPL permission masks; 0 (no VMPLs below 0)
    uint8_t vmpl2_perms;                 // 0x65
    uint8_t vmpl1_perms;                 // 0x66
    uint8_t reserved;                    // 0x67: must be 0
    uint64_t gpa;                        // 0x68: guest physical address of the page
};

static_assert(std::endian::native == std::endian::little, "PAGE_INFO is hashed as little-endian bytes");
static_assert(sizeof(SnpPageInfo) == 0x70);
static_assert(std::is_standard_layout_v<SnpPageInfo> && std::is_trivially_copyable_v<SnpPageInfo>);
static_assert(std::has_unique_object_representations_v<SnpPageInfo>, "no padding may reach the hash");
static_assert(offsetof(SnpPageInfo, digest_cur) == 0x00);
static_assert(offsetof(SnpPageInfo, contents) == 0x30);
static_assert(offsetof(SnpPageInfo, length) == 0x60);
static_assert(offsetof(SnpPageInfo, page_type) == 0x62);
static_assert(offsetof(SnpPageInfo, imi_page) == 0x63);
static_assert(offsetof(SnpPageInfo, vmpl3_perms) == 0x64);
static_assert(offsetof(SnpPageInfo, vmpl2_perms) == 0x65);
static_assert(offsetof(SnpPageInfo, vmpl1_perms) == 0x66);
static_assert(offsetof(SnpPageInfo, reserved) == 0x67);
static_assert(offsetof(SnpPageInfo, gpa) == 0x68);

using SnpPageInfoBytes = std::array<uint8_t, sizeof(SnpPageInfo)>;

// The exact bytes hashed for one page.
[[nodiscard]] inline SnpPageInfoBytes snp_page_info_bytes(const SnpPageInfo& info) {
    return std::bit_cast<SnpPageInfoBytes>(info);
}

}  // namespace cw::tee
