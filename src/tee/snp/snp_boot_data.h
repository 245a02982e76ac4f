// What an SEV-SNP guest kernel needs from the VMM beyond an ordinary direct boot, in the
// layouts the kernel reads them (upstream arch/x86/include/asm/sev.h and
// arch/x86/include/uapi/asm/bootparam.h; the SNP firmware ABI, "CPUID reporting"):
//
// - The CPUID page, loaded with SNP_LAUNCH_UPDATE type CPUID. Under SNP the guest cannot
//   trust the hypervisor's CPUID intercept, so it looks leaves up in this table; the
//   firmware checks every entry against what the CPU and policy allow before the launch
//   may go on. When it refuses, KVM copies the firmware's corrected table back over the
//   VMM's copy: snp_cpuid_differences() turns that into the one line naming the leaves.
// - The CC blob: the GPAs of the secrets page and of the CPUID page. A direct-boot kernel
//   has no firmware to ask, so a SETUP_CC_BLOB element in boot_params' setup_data list
//   points at the blob, where the kernel's early boot code looks for it.
//
// Trust: everything here is built by the VMM from its own configuration and KVM's
// supported-CPUID list; nothing is read from the guest. Whether the CPUID values are
// honest is not for the VMM to promise: the firmware checks them, and the pages are part
// of the launch digest the guest's report carries.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "tee/measurement/snp_page_info.h"

namespace cw::tee::snp {

// The C-bit an SNP guest sets in its page-table entries to make an access private: bit 51
// on every SNP-capable EPYC so far (CPUID 0x8000001F EBX[5:0]; libkrun fixes the same
// value into the guest's CPUID page). The VMM's boot page tables carry it, so it is measured.
inline constexpr uint64_t kSnpEncryptionMask = uint64_t{1} << 51;

// --- wire formats ---------------------------------------------------------------------

// One CPUID page entry (struct snp_cpuid_fn).
struct SnpCpuidFunction {
    uint32_t eax_in;
    uint32_t ecx_in;
    uint64_t xcr0_in;
    uint64_t xss_in;
    uint32_t eax;
    uint32_t ebx;
    uint32_t ecx;
    uint32_t edx;
    uint64_t reserved;
};
static_assert(sizeof(SnpCpuidFunction) == 48);
static_assert(offsetof(SnpCpuidFunction, xcr0_in) == 8 && offsetof(SnpCpuidFunction, xss_in) == 16);
static_assert(offsetof(SnpCpuidFunction, eax) == 24 && offsetof(SnpCpuidFunction, edx) == 36);

inline constexpr size_t kSnpCpuidMaxFunctions = 64;  // SNP_CPUID_COUNT_MAX

// The CPUID page's table (struct snp_cpuid_table); the rest of the 4 KiB page is zero.
struct SnpCpuidTable {
    uint32_t count;
    uint32_t reserved1;
    uint64_t reserved2;
    SnpCpuidFunction fn[kSnpCpuidMaxFunctions];
};
static_assert(sizeof(SnpCpuidTable) == 16 + 64 * 48 && offsetof(SnpCpuidTable, fn) == 16);
static_assert(sizeof(SnpCpuidTable) <= kSnpPageSize);

// struct cc_blob_sev_info: "AMDE", version 1.
#pragma pack(push, 1)
struct CcBlobSevInfo {
    uint32_t magic;
    uint16_t version;
    uint16_t reserved;
    uint64_t secrets_phys;
    uint32_t secrets_len;
    uint32_t rsvd1;
    uint64_t cpuid_phys;
    uint32_t cpuid_len;
    uint32_t rsvd2;
};
#pragma pack(pop)
static_assert(sizeof(CcBlobSevInfo) == 40);
static_assert(offsetof(CcBlobSevInfo, secrets_phys) == 8 && offsetof(CcBlobSevInfo, cpuid_phys) == 24);
inline constexpr uint32_t kCcBlobMagic = 0x45444d41;  // CC_BLOB_SEV_HDR_MAGIC, "AMDE" in memory
inline constexpr uint16_t kCcBlobVersion = 1;

// struct setup_data's header; `len` bytes of data follow it.
struct SetupDataHeader {
    uint64_t next;  // GPA of the next setup_data, 0 at the end of the list
    uint32_t type;
    uint32_t len;
};
static_assert(sizeof(SetupDataHeader) == 16);
inline constexpr uint32_t kSetupCcBlob = 7;  // SETUP_CC_BLOB

// struct cc_setup_data: a SETUP_CC_BLOB element does not hold the blob, it points at it
// with a 32-bit GPA (find_cc_blob_setup_data() in the kernel dereferences it).
#pragma pack(push, 1)
struct CcSetupData {
    SetupDataHeader header;
    uint32_t cc_blob_address;
};
#pragma pack(pop)
static_assert(sizeof(CcSetupData) == 20 && offsetof(CcSetupData, cc_blob_address) == 16);

// --- builders -------------------------------------------------------------------------

// One CPUID result as KVM_GET_SUPPORTED_CPUID (after the VMM's own filtering) gives it,
// without tying this code to <linux/kvm.h>.
struct CpuidLeaf {
    uint32_t function = 0;
    uint32_t index = 0;
    bool index_significant = false;  // KVM_CPUID_FLAG_SIGNIFCANT_INDEX
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

using SnpPage = std::array<uint8_t, kSnpPageSize>;

// The CPUID page for `leaves`, in their order. Once an SNP guest has the table it answers
// every CPUID from it (a leaf missing from it reads as zeros, never from the hypervisor),
// so the standard (0x0-0xFFFF), hypervisor (0x4000_0000-0x4000_FFFF: KVM's signature and
// paravirtual features) and extended (0x8000_0000-0x8000_FFFF) ranges all go in; other
// leaves are left out. Leaf 0xD subleaves 0 and 1 are entered for XCR0 = 1 (x87 only) with
// the legacy-area-plus-header size 0x240 in EBX: the guest kernel computes the size for
// its real XCR0 from the per-component subleaves itself. More than 64 entries in those
// ranges is refused, naming the count.
[[nodiscard]] Result<SnpPage> snp_cpuid_page(std::span<const CpuidLeaf> leaves);

// After a refused SNP_LAUNCH_UPDATE of the CPUID page, `returned` holds the firmware's
// version of `sent`: one line naming every entry it changed ("0x7.0 ebx 0x... -> 0x..."),
// or "" if they are equal. Counts above 64 in `returned` are treated as 64.
[[nodiscard]] std::string snp_cpuid_differences(const SnpPage& sent, const SnpPage& returned);

// The CC blob (cc_blob_sev_info) naming the secrets and CPUID pages, one 4 KiB page each.
[[nodiscard]] CcBlobSevInfo cc_blob(uint64_t secrets_gpa, uint64_t cpuid_gpa);

// The SETUP_CC_BLOB setup_data element pointing at a CC blob placed at `cc_blob_gpa`, which
// must lie below 4 GiB; `next` chains to the rest of the list.
[[nodiscard]] Result<CcSetupData> cc_blob_setup_data(uint64_t cc_blob_gpa, uint64_t next = 0);

}  // namespace cw::tee::snp
