// The KVM uAPI of the Intel TDX launch path, declared once, here. Debian 12's
// linux-libc-dev (6.1) has none of it, so these are our own declarations of the upstream
// definitions in arch/x86/include/uapi/asm/kvm.h (Linux 6.16, where KVM's TDX host support
// was merged; the semantics noted below are those of arch/x86/kvm/vmx/tdx.c there). Every
// size, field offset and ioctl number is checked below; tdx_uapi_test.cpp also checks them
// against the 6.1 header for the parts it does have (kvm_cpuid2, kvm_cpuid_entry2,
// KVM_CREATE_VCPU).
//
// The generic KVM pieces the SNP path declared first (ioctl encoding, KVM_CREATE_VM,
// KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES, the VM types, KVM_MEMORY_ENCRYPT_OP, guest_memfd
// and memory attributes) stay declared once in tee/snp/snp_uapi.h and are named here.
//
// Names follow the kernel's in a namespace, lower-case, so that a newer <linux/kvm.h>
// (whose names are macros) can never collide with them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tee/snp/snp_uapi.h"

namespace cw::tee::tdx::uapi {

using snp::uapi::ioc;
using snp::uapi::kIocNone;
using snp::uapi::kKvmCheckExtension;
using snp::uapi::kKvmCapVmTypes;
using snp::uapi::kKvmCreateVm;
using snp::uapi::kKvmIo;
using snp::uapi::kKvmMemoryEncryptOp;
using snp::uapi::kKvmX86TdxVm;

// KVM_CREATE_VCPU (on the VM fd, argument: the vCPU id) returns the vCPU fd. A TD's vCPUs
// must be created after KVM_TDX_INIT_VM and initialized with KVM_TDX_INIT_VCPU.
inline constexpr uint32_t kKvmCreateVcpu = ioc(kIocNone, kKvmIo, 0x41, 0);
static_assert(kKvmCreateVcpu == 0xAE41);

// KVM_MAX_CPUID_ENTRIES: the most CPUID entries KVM_TDX_INIT_VM accepts (-E2BIG beyond).
inline constexpr uint32_t kKvmMaxCpuidEntries = 256;

// --- KVM_MEMORY_ENCRYPT_OP and its TDX commands --------------------------------------
// On a TDX VM, KVM_MEMORY_ENCRYPT_OP carries a struct kvm_tdx_cmd. CAPABILITIES, INIT_VM
// and FINALIZE_VM are VM ioctls (on the VM fd); INIT_VCPU, INIT_MEM_REGION and GET_CPUID
// are vCPU ioctls: the same KVM_MEMORY_ENCRYPT_OP number, issued on a vCPU fd.
enum class TdxCmdId : uint32_t {
    Capabilities = 0,   // KVM_TDX_CAPABILITIES   (VM fd)
    InitVm = 1,         // KVM_TDX_INIT_VM        (VM fd, before any vCPU exists)
    InitVcpu = 2,       // KVM_TDX_INIT_VCPU      (vCPU fd)
    InitMemRegion = 3,  // KVM_TDX_INIT_MEM_REGION (vCPU fd)
    FinalizeVm = 4,     // KVM_TDX_FINALIZE_VM    (VM fd)
    GetCpuid = 5,       // KVM_TDX_GET_CPUID      (vCPU fd)
};

// struct kvm_tdx_cmd.
struct KvmTdxCmd {
    uint32_t id;        // 0x00: TdxCmdId
    uint32_t flags;     // 0x04: per command; 0 except INIT_MEM_REGION's kTdxMeasureMemoryRegion
    uint64_t data;      // 0x08: an immediate (INIT_VCPU: the initial RCX) or a userspace pointer
    uint64_t hw_error;  // 0x10: out: the TDX module's SEAMCALL status; must be 0 going in
};
static_assert(sizeof(KvmTdxCmd) == 24);
static_assert(offsetof(KvmTdxCmd, id) == 0x00 && offsetof(KvmTdxCmd, flags) == 0x04);
static_assert(offsetof(KvmTdxCmd, data) == 0x08 && offsetof(KvmTdxCmd, hw_error) == 0x10);

// --- CPUID: struct kvm_cpuid2 and struct kvm_cpuid_entry2 -------------------------------
// struct kvm_cpuid_entry2 (include/uapi/linux/kvm.h via asm/kvm.h; in 6.1 too).
struct KvmCpuidEntry2 {
    uint32_t function;                // 0x00: leaf (EAX in)
    uint32_t index;                   // 0x04: sub-leaf (ECX in)
    uint32_t flags;                   // 0x08: kKvmCpuidFlagSignificantIndex, ...
    uint32_t eax;                     // 0x0C
    uint32_t ebx;                     // 0x10
    uint32_t ecx;                     // 0x14
    uint32_t edx;                     // 0x18
    std::array<uint32_t, 3> padding;  // 0x1C
};
static_assert(sizeof(KvmCpuidEntry2) == 40);
static_assert(offsetof(KvmCpuidEntry2, function) == 0x00 && offsetof(KvmCpuidEntry2, index) == 0x04);
static_assert(offsetof(KvmCpuidEntry2, flags) == 0x08 && offsetof(KvmCpuidEntry2, eax) == 0x0C);
static_assert(offsetof(KvmCpuidEntry2, ebx) == 0x10 && offsetof(KvmCpuidEntry2, ecx) == 0x14);
static_assert(offsetof(KvmCpuidEntry2, edx) == 0x18 && offsetof(KvmCpuidEntry2, padding) == 0x1C);
inline constexpr uint32_t kKvmCpuidFlagSignificantIndex = 1U << 0;  // KVM_CPUID_FLAG_SIGNIFCANT_INDEX

// struct kvm_cpuid2 without its flexible array: C++ has none. The kernel structure ends in
// `struct kvm_cpuid_entry2 entries[]`, so `nent` entries follow this header directly in the
// same buffer; tdx_cpuid_buffers.h builds and reads such buffers.
struct KvmCpuid2Header {
    uint32_t nent;     // 0x00: number of entries that follow
    uint32_t padding;  // 0x04: must be 0 (KVM_TDX_INIT_VM refuses anything else)
};
static_assert(sizeof(KvmCpuid2Header) == 8);
static_assert(offsetof(KvmCpuid2Header, nent) == 0x00 && offsetof(KvmCpuid2Header, padding) == 0x04);

// CPUID.0x80000008.EAX[23:16] is how KVM_TDX_INIT_VM is told the TD's guest physical
// address width (GPAW): 48 (4-level EPT) or 52 (5-level EPT); anything else is -EINVAL.
// The shared bit is the GPA's top bit: private memory lies below it.
inline constexpr uint32_t kCpuidLeafAddressSizes = 0x80000008;
inline constexpr unsigned kCpuidGuestPhysBitsShift = 16;

// --- KVM_TDX_CAPABILITIES ---------------------------------------------------------------
// struct kvm_tdx_capabilities; cpuid.nent going in is the room for entries after it (KVM
// fails with -E2BIG if that is less than the TDX module's number of configurable CPUID
// leaves, without saying how many), coming out the number written: the CPUID bits
// userspace may configure.
struct KvmTdxCapabilities {
    uint64_t supported_attrs;            // 0x000: TD attributes KVM and the module allow (tdx_attributes.h)
    uint64_t supported_xfam;             // 0x008: XFAM bits allowed
    uint64_t kernel_tdvmcallinfo_1_r11;  // 0x010: TDG.VP.VMCALLs KVM handles / forwards to userspace
    uint64_t user_tdvmcallinfo_1_r11;    // 0x018
    uint64_t kernel_tdvmcallinfo_1_r12;  // 0x020
    uint64_t user_tdvmcallinfo_1_r12;    // 0x028
    std::array<uint64_t, 250> reserved;  // 0x030: later kernels may define words here
    KvmCpuid2Header cpuid;               // 0x800: then cpuid.nent KvmCpuidEntry2
};
static_assert(sizeof(KvmTdxCapabilities) == 2056);
static_assert(offsetof(KvmTdxCapabilities, supported_attrs) == 0x000);
static_assert(offsetof(KvmTdxCapabilities, supported_xfam) == 0x008);
static_assert(offsetof(KvmTdxCapabilities, kernel_tdvmcallinfo_1_r11) == 0x010);
static_assert(offsetof(KvmTdxCapabilities, user_tdvmcallinfo_1_r11) == 0x018);
static_assert(offsetof(KvmTdxCapabilities, kernel_tdvmcallinfo_1_r12) == 0x020);
static_assert(offsetof(KvmTdxCapabilities, user_tdvmcallinfo_1_r12) == 0x028);
static_assert(offsetof(KvmTdxCapabilities, reserved) == 0x030);
static_assert(offsetof(KvmTdxCapabilities, cpuid) == 0x800);

// --- KVM_TDX_INIT_VM --------------------------------------------------------------------
// The SHA-384-sized measurement registers the host sets at TD creation; the TDX module
// copies them into every TD report (MRCONFIGID at body offset 184).
inline constexpr size_t kTdxMrSize = 48;
using TdxMr = std::array<uint8_t, kTdxMrSize>;

// struct kvm_tdx_init_vm. The kernel declares the three registers as __u64[6]; KVM copies
// them into TD_PARAMS byte for byte, so bytes are the honest type here (same offsets and
// size). The 256 bytes before `cpuid` are fixed (KVM BUILD_BUG_ONs on it).
struct KvmTdxInitVm {
    uint64_t attributes;                 // 0x000: TD attributes (tdx_attributes.h)
    uint64_t xfam;                       // 0x008: extended features (XCR0 | IA32_XSS bits) the TD may use
    TdxMr mrconfigid;                    // 0x010: MRCONFIGID: we put SHA-256(workload config), zero-padded
    TdxMr mrowner;                       // 0x040: MROWNER: zero (no owner identity)
    TdxMr mrownerconfig;                 // 0x070: MROWNERCONFIG: zero
    std::array<uint64_t, 12> reserved;   // 0x0A0: must be 0 (-EINVAL otherwise)
    KvmCpuid2Header cpuid;               // 0x100: then cpuid.nent KvmCpuidEntry2 (at most 256)
};
static_assert(sizeof(KvmTdxInitVm) == 264);
static_assert(offsetof(KvmTdxInitVm, attributes) == 0x000 && offsetof(KvmTdxInitVm, xfam) == 0x008);
static_assert(offsetof(KvmTdxInitVm, mrconfigid) == 0x010 && offsetof(KvmTdxInitVm, mrowner) == 0x040);
static_assert(offsetof(KvmTdxInitVm, mrownerconfig) == 0x070 && offsetof(KvmTdxInitVm, reserved) == 0x0A0);
static_assert(offsetof(KvmTdxInitVm, cpuid) == 0x100);
static_assert(alignof(KvmTdxInitVm) == 8, "the kernel structure is 8-byte aligned (__u64 members)");

// --- KVM_TDX_INIT_MEM_REGION ------------------------------------------------------------
// KVM_TDX_MEASURE_MEMORY_REGION, in kvm_tdx_cmd.flags: besides TDH.MEM.PAGE.ADD, KVM issues
// the 16 TDH.MR.EXTENDs of each page right after adding it ("single pass", tdx.c's
// tdx_gmem_post_populate), so the contents enter MRTD.
inline constexpr uint32_t kTdxMeasureMemoryRegion = 1U << 0;

// struct kvm_tdx_init_mem_region. KVM copies nr_pages pages from source_addr (page
// aligned) into the private (guest_memfd) pages at gpa (page aligned, private: below the
// shared bit), one page at a time. Interrupted by a signal it returns -EINTR with the
// structure advanced past the pages done; the caller repeats until nr_pages is 0.
struct KvmTdxInitMemRegion {
    uint64_t source_addr;  // 0x00: userspace address of the source pages
    uint64_t gpa;          // 0x08
    uint64_t nr_pages;     // 0x10: 4 KiB pages, non-zero
};
static_assert(sizeof(KvmTdxInitMemRegion) == 24);
static_assert(offsetof(KvmTdxInitMemRegion, source_addr) == 0x00);
static_assert(offsetof(KvmTdxInitMemRegion, gpa) == 0x08 && offsetof(KvmTdxInitMemRegion, nr_pages) == 0x10);

// Every structure is handed to the kernel as its bytes: no hidden padding may exist.
static_assert(std::has_unique_object_representations_v<KvmTdxCmd>);
static_assert(std::has_unique_object_representations_v<KvmCpuidEntry2>);
static_assert(std::has_unique_object_representations_v<KvmCpuid2Header>);
static_assert(std::has_unique_object_representations_v<KvmTdxCapabilities>);
static_assert(std::has_unique_object_representations_v<KvmTdxInitVm>);
static_assert(std::has_unique_object_representations_v<KvmTdxInitMemRegion>);

}  // namespace cw::tee::tdx::uapi
