// The KVM uAPI of the SEV-SNP launch path, declared once, here. Debian 12's linux-libc-dev
// (6.1) predates all of it (SNP VM type, KVM_SEV_INIT2, the SNP launch commands,
// guest_memfd, memory attributes), so these are our own declarations of the upstream
// definitions in include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h (Linux 6.11,
// where SNP host support was merged). Every size, field offset and computed ioctl number
// is checked below; snp_uapi_test.cpp also checks them against the 6.1 header for the
// parts it does have (KVM_MEMORY_ENCRYPT_OP, struct kvm_sev_cmd, the sev_cmd_id values).
//
// Names follow the kernel's in a namespace, lower-case, so that a newer <linux/kvm.h>
// (whose names are macros) can never collide with them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tee/measurement/snp_page_info.h"

namespace cw::tee::snp::uapi {

// --- ioctl numbers -------------------------------------------------------------------
// <asm-generic/ioctl.h>: nr in bits 7:0, type in 15:8, size in 29:16, direction in 31:30.
inline constexpr uint32_t kIocNone = 0;
inline constexpr uint32_t kIocWrite = 1;  // userspace writes to the kernel
inline constexpr uint32_t kIocRead = 2;
constexpr uint32_t ioc(uint32_t dir, uint32_t type, uint32_t nr, size_t size) {
    return (dir << 30) | (static_cast<uint32_t>(size) << 16) | (type << 8) | nr;
}
inline constexpr uint32_t kKvmIo = 0xAE;  // KVMIO

// On /dev/kvm.
inline constexpr uint32_t kKvmCreateVm = ioc(kIocNone, kKvmIo, 0x01, 0);         // KVM_CREATE_VM (arg: VM type)
inline constexpr uint32_t kKvmCheckExtension = ioc(kIocNone, kKvmIo, 0x03, 0);   // KVM_CHECK_EXTENSION
static_assert(kKvmCreateVm == 0xAE01 && kKvmCheckExtension == 0xAE03);

// KVM_CAP_VM_TYPES (235): KVM_CHECK_EXTENSION returns a bit mask of the VM types
// KVM_CREATE_VM accepts, bit n for type n. Kernels before 6.8 do not know the capability
// and return 0, which reads as "no SNP", correctly.
inline constexpr uint32_t kKvmCapVmTypes = 235;
inline constexpr uint32_t kKvmCapUserMemory2 = 231;      // KVM_CAP_USER_MEMORY2
inline constexpr uint32_t kKvmCapMemoryAttributes = 233; // KVM_CAP_MEMORY_ATTRIBUTES
inline constexpr uint32_t kKvmCapGuestMemfd = 234;       // KVM_CAP_GUEST_MEMFD

// VM types (arch/x86/include/uapi/asm/kvm.h).
inline constexpr uint32_t kKvmX86DefaultVm = 0;  // KVM_X86_DEFAULT_VM
inline constexpr uint32_t kKvmX86SnpVm = 4;      // KVM_X86_SNP_VM
inline constexpr uint32_t kKvmX86TdxVm = 5;      // KVM_X86_TDX_VM

// --- KVM_MEMORY_ENCRYPT_OP and its SEV commands ---------------------------------------
// struct kvm_sev_cmd: the argument of KVM_MEMORY_ENCRYPT_OP on a SEV/SNP VM fd. `data`
// points at the command's own structure; `error` comes back with the firmware status.
struct KvmSevCmd {
    uint32_t id;      // 0x00: SevCmdId
    uint32_t pad0;    // 0x04
    uint64_t data;    // 0x08: userspace address of the command structure
    uint32_t error;   // 0x10: out: SEV firmware error code (0 = success)
    uint32_t sev_fd;  // 0x14: an open fd of /dev/sev (proves access to the firmware)
};
static_assert(sizeof(KvmSevCmd) == 24);
static_assert(offsetof(KvmSevCmd, id) == 0x00 && offsetof(KvmSevCmd, pad0) == 0x04);
static_assert(offsetof(KvmSevCmd, data) == 0x08 && offsetof(KvmSevCmd, error) == 0x10);
static_assert(offsetof(KvmSevCmd, sev_fd) == 0x14);

// KVM_MEMORY_ENCRYPT_OP is _IOWR(KVMIO, 0xba, unsigned long): the size field encodes
// `unsigned long`, not the command structure (a historical quirk kept for the ABI).
inline constexpr uint32_t kKvmMemoryEncryptOp = ioc(kIocRead | kIocWrite, kKvmIo, 0xba, sizeof(unsigned long));
static_assert(kKvmMemoryEncryptOp == 0xC008AEBA);

// enum sev_cmd_id: the values used here.
enum class SevCmdId : uint32_t {
    Init2 = 22,             // KVM_SEV_INIT2 (follows KVM_SEV_SEND_CANCEL = 21)
    SnpLaunchStart = 100,   // KVM_SEV_SNP_LAUNCH_START
    SnpLaunchUpdate = 101,  // KVM_SEV_SNP_LAUNCH_UPDATE
    SnpLaunchFinish = 102,  // KVM_SEV_SNP_LAUNCH_FINISH
};

// struct kvm_sev_init, for KVM_SEV_INIT2 on a VM created with KVM_X86_SNP_VM.
struct KvmSevInit {
    uint64_t vmsa_features;           // 0x00: SEV_FEATURES bits for every VMSA (SNPActive is KVM's)
    uint32_t flags;                   // 0x08: must be 0
    uint16_t ghcb_version;            // 0x0C: GHCB protocol version; SNP needs >= 2
    uint16_t pad1;                    // 0x0E
    std::array<uint32_t, 8> pad2;     // 0x10
};
static_assert(sizeof(KvmSevInit) == 48);
static_assert(offsetof(KvmSevInit, vmsa_features) == 0x00 && offsetof(KvmSevInit, flags) == 0x08);
static_assert(offsetof(KvmSevInit, ghcb_version) == 0x0C && offsetof(KvmSevInit, pad1) == 0x0E);
static_assert(offsetof(KvmSevInit, pad2) == 0x10);

// struct kvm_sev_snp_launch_start.
struct KvmSevSnpLaunchStart {
    uint64_t policy;                  // 0x00: guest policy (snp_policy.h)
    std::array<uint8_t, 16> gosvw;    // 0x08: guest OS visible workarounds; we give none
    uint16_t flags;                   // 0x18: must be 0
    std::array<uint8_t, 6> pad0;      // 0x1A: (later kernels use 0x1C-0x1F as desired_tsc_khz, for SecureTSC only; 0 here)
    std::array<uint64_t, 4> pad1;     // 0x20
};
static_assert(sizeof(KvmSevSnpLaunchStart) == 64);
static_assert(offsetof(KvmSevSnpLaunchStart, policy) == 0x00 && offsetof(KvmSevSnpLaunchStart, gosvw) == 0x08);
static_assert(offsetof(KvmSevSnpLaunchStart, flags) == 0x18 && offsetof(KvmSevSnpLaunchStart, pad0) == 0x1A);
static_assert(offsetof(KvmSevSnpLaunchStart, pad1) == 0x20);

// KVM_SEV_SNP_PAGE_TYPE_*: KVM keeps the firmware's PAGE_TYPE numbers (snp_page_info.h).
// There is no VMSA type: KVM measures the vCPUs' VMSAs itself at LAUNCH_FINISH.
inline constexpr uint8_t kSnpPageTypeNormal = 0x1;
inline constexpr uint8_t kSnpPageTypeZero = 0x3;
inline constexpr uint8_t kSnpPageTypeUnmeasured = 0x4;
inline constexpr uint8_t kSnpPageTypeSecrets = 0x5;
inline constexpr uint8_t kSnpPageTypeCpuid = 0x6;
static_assert(kSnpPageTypeNormal == static_cast<uint8_t>(SnpPageType::Normal));
static_assert(kSnpPageTypeZero == static_cast<uint8_t>(SnpPageType::Zero));
static_assert(kSnpPageTypeUnmeasured == static_cast<uint8_t>(SnpPageType::Unmeasured));
static_assert(kSnpPageTypeSecrets == static_cast<uint8_t>(SnpPageType::Secrets));
static_assert(kSnpPageTypeCpuid == static_cast<uint8_t>(SnpPageType::Cpuid));

// struct kvm_sev_snp_launch_update. KVM copies `len` bytes from `uaddr` (ignored for ZERO)
// into the private guest_memfd pages at gfn_start and has the firmware measure and
// encrypt them, one 4 KiB page at a time. It may stop early: on success gfn_start, uaddr
// and len are advanced past what was done, and the caller repeats until len is 0.
struct KvmSevSnpLaunchUpdate {
    uint64_t gfn_start;              // 0x00: first guest frame number (GPA >> 12)
    uint64_t uaddr;                  // 0x08: userspace address of the source pages
    uint64_t len;                    // 0x10: bytes, a multiple of 4096
    uint8_t type;                    // 0x18: kSnpPageType*
    uint8_t pad0;                    // 0x19
    uint16_t flags;                  // 0x1A: must be 0
    uint32_t pad1;                   // 0x1C
    std::array<uint64_t, 4> pad2;    // 0x20
};
static_assert(sizeof(KvmSevSnpLaunchUpdate) == 64);
static_assert(offsetof(KvmSevSnpLaunchUpdate, gfn_start) == 0x00 && offsetof(KvmSevSnpLaunchUpdate, uaddr) == 0x08);
static_assert(offsetof(KvmSevSnpLaunchUpdate, len) == 0x10 && offsetof(KvmSevSnpLaunchUpdate, type) == 0x18);
static_assert(offsetof(KvmSevSnpLaunchUpdate, pad0) == 0x19 && offsetof(KvmSevSnpLaunchUpdate, flags) == 0x1A);
static_assert(offsetof(KvmSevSnpLaunchUpdate, pad1) == 0x1C && offsetof(KvmSevSnpLaunchUpdate, pad2) == 0x20);

inline constexpr size_t kSnpIdBlockSize = 96;      // KVM_SEV_SNP_ID_BLOCK_SIZE
inline constexpr size_t kSnpIdAuthSize = 4096;     // KVM_SEV_SNP_ID_AUTH_SIZE
inline constexpr size_t kSnpFinishDataSize = 32;   // KVM_SEV_SNP_FINISH_DATA_SIZE: HOST_DATA

// struct kvm_sev_snp_launch_finish. The host_data array starts at an odd offset: the
// kernel's layout, byte for byte (all members are bytes there, so there is no padding).
struct KvmSevSnpLaunchFinish {
    uint64_t id_block_uaddr;                               // 0x00: no ID block: 0
    uint64_t id_auth_uaddr;                                // 0x08: 0
    uint8_t id_block_en;                                   // 0x10: 0
    uint8_t auth_key_en;                                   // 0x11: 0
    uint8_t vcek_disabled;                                 // 0x12: 0 (reports may be VCEK-signed)
    std::array<uint8_t, kSnpFinishDataSize> host_data;     // 0x13: HOST_DATA of every report
    std::array<uint8_t, 3> pad0;                           // 0x33
    uint16_t flags;                                        // 0x36: must be 0
    std::array<uint64_t, 4> pad1;                          // 0x38
};
static_assert(sizeof(KvmSevSnpLaunchFinish) == 88);
static_assert(offsetof(KvmSevSnpLaunchFinish, id_block_uaddr) == 0x00);
static_assert(offsetof(KvmSevSnpLaunchFinish, id_auth_uaddr) == 0x08);
static_assert(offsetof(KvmSevSnpLaunchFinish, id_block_en) == 0x10);
static_assert(offsetof(KvmSevSnpLaunchFinish, auth_key_en) == 0x11);
static_assert(offsetof(KvmSevSnpLaunchFinish, vcek_disabled) == 0x12);
static_assert(offsetof(KvmSevSnpLaunchFinish, host_data) == 0x13);
static_assert(offsetof(KvmSevSnpLaunchFinish, pad0) == 0x33);
static_assert(offsetof(KvmSevSnpLaunchFinish, flags) == 0x36);
static_assert(offsetof(KvmSevSnpLaunchFinish, pad1) == 0x38);

// --- guest_memfd private memory ------------------------------------------------------
// Declared for the SNP memory set-up (not built yet: see docs/measurement.md).

// struct kvm_create_guest_memfd; KVM_CREATE_GUEST_MEMFD returns the new fd.
struct KvmCreateGuestMemfd {
    uint64_t size;                      // 0x00: bytes
    uint64_t flags;                     // 0x08
    std::array<uint64_t, 6> reserved;   // 0x10
};
static_assert(sizeof(KvmCreateGuestMemfd) == 64);
static_assert(offsetof(KvmCreateGuestMemfd, size) == 0x00 && offsetof(KvmCreateGuestMemfd, flags) == 0x08);
static_assert(offsetof(KvmCreateGuestMemfd, reserved) == 0x10);
inline constexpr uint32_t kKvmCreateGuestMemfd = ioc(kIocRead | kIocWrite, kKvmIo, 0xd4, sizeof(KvmCreateGuestMemfd));
static_assert(kKvmCreateGuestMemfd == 0xC040AED4);

// struct kvm_userspace_memory_region2: a memslot whose private half is a guest_memfd.
struct KvmUserspaceMemoryRegion2 {
    uint32_t slot;                     // 0x00
    uint32_t flags;                    // 0x04: kKvmMemGuestMemfd
    uint64_t guest_phys_addr;          // 0x08
    uint64_t memory_size;              // 0x10
    uint64_t userspace_addr;           // 0x18: the shared half
    uint64_t guest_memfd_offset;       // 0x20
    uint32_t guest_memfd;              // 0x28
    uint32_t pad1;                     // 0x2C
    std::array<uint64_t, 14> pad2;     // 0x30
};
static_assert(sizeof(KvmUserspaceMemoryRegion2) == 160);
static_assert(offsetof(KvmUserspaceMemoryRegion2, slot) == 0x00 && offsetof(KvmUserspaceMemoryRegion2, flags) == 0x04);
static_assert(offsetof(KvmUserspaceMemoryRegion2, guest_phys_addr) == 0x08);
static_assert(offsetof(KvmUserspaceMemoryRegion2, memory_size) == 0x10);
static_assert(offsetof(KvmUserspaceMemoryRegion2, userspace_addr) == 0x18);
static_assert(offsetof(KvmUserspaceMemoryRegion2, guest_memfd_offset) == 0x20);
static_assert(offsetof(KvmUserspaceMemoryRegion2, guest_memfd) == 0x28);
static_assert(offsetof(KvmUserspaceMemoryRegion2, pad1) == 0x2C && offsetof(KvmUserspaceMemoryRegion2, pad2) == 0x30);
inline constexpr uint32_t kKvmMemGuestMemfd = 1U << 2;  // KVM_MEM_GUEST_MEMFD
inline constexpr uint32_t kKvmSetUserMemoryRegion2 = ioc(kIocWrite, kKvmIo, 0x49, sizeof(KvmUserspaceMemoryRegion2));
static_assert(kKvmSetUserMemoryRegion2 == 0x40A0AE49);

// struct kvm_memory_attributes: KVM_SET_MEMORY_ATTRIBUTES marks a GPA range private
// (backed by guest_memfd), as SNP_LAUNCH_UPDATE requires of every page it is given.
struct KvmMemoryAttributes {
    uint64_t address;     // 0x00: GPA
    uint64_t size;        // 0x08
    uint64_t attributes;  // 0x10: kKvmMemoryAttributePrivate
    uint64_t flags;       // 0x18: must be 0
};
static_assert(sizeof(KvmMemoryAttributes) == 32);
static_assert(offsetof(KvmMemoryAttributes, address) == 0x00 && offsetof(KvmMemoryAttributes, size) == 0x08);
static_assert(offsetof(KvmMemoryAttributes, attributes) == 0x10 && offsetof(KvmMemoryAttributes, flags) == 0x18);
inline constexpr uint64_t kKvmMemoryAttributePrivate = 1ULL << 3;  // KVM_MEMORY_ATTRIBUTE_PRIVATE
inline constexpr uint32_t kKvmSetMemoryAttributes = ioc(kIocWrite, kKvmIo, 0xd2, sizeof(KvmMemoryAttributes));
static_assert(kKvmSetMemoryAttributes == 0x4020AED2);

// Every structure is handed to the kernel as its bytes: no hidden padding may exist.
static_assert(std::has_unique_object_representations_v<KvmSevCmd>);
static_assert(std::has_unique_object_representations_v<KvmSevInit>);
static_assert(std::has_unique_object_representations_v<KvmSevSnpLaunchStart>);
static_assert(std::has_unique_object_representations_v<KvmSevSnpLaunchUpdate>);
static_assert(std::has_unique_object_representations_v<KvmSevSnpLaunchFinish>);
static_assert(std::has_unique_object_representations_v<KvmCreateGuestMemfd>);
static_assert(std::has_unique_object_representations_v<KvmUserspaceMemoryRegion2>);
static_assert(std::has_unique_object_representations_v<KvmMemoryAttributes>);

}  // namespace cw::tee::snp::uapi
