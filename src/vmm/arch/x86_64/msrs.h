// MSR values the boot vCPU starts with (plain index/value pairs; the kvm layer turns them
// into kvm_msrs). Same list and values as Firecracker's create_boot_msr_entries: the
// SYSCALL/SYSENTER state zeroed (the kernel programs it), TSC at 0, fast string operations
// on, and MTRRs enabled with write-back as the default memory type (with MTRRs off, all of
// memory would be uncacheable to the guest).
#pragma once

#include <cstdint>
#include <vector>

namespace cw::vmm::x86 {

// Architectural MSR numbers (Intel SDM vol. 4, "Model-Specific Registers").
inline constexpr uint32_t MSR_IA32_TSC = 0x10;
inline constexpr uint32_t MSR_IA32_SYSENTER_CS = 0x174;
inline constexpr uint32_t MSR_IA32_SYSENTER_ESP = 0x175;
inline constexpr uint32_t MSR_IA32_SYSENTER_EIP = 0x176;
inline constexpr uint32_t MSR_IA32_MISC_ENABLE = 0x1a0;
inline constexpr uint32_t MSR_MTRR_DEF_TYPE = 0x2ff;  // IA32_MTRR_DEF_TYPE
inline constexpr uint32_t MSR_STAR = 0xc0000081;
inline constexpr uint32_t MSR_LSTAR = 0xc0000082;
inline constexpr uint32_t MSR_CSTAR = 0xc0000083;
inline constexpr uint32_t MSR_SYSCALL_MASK = 0xc0000084;  // IA32_FMASK
inline constexpr uint32_t MSR_KERNEL_GS_BASE = 0xc0000102;

// IA32_MISC_ENABLE bit 0: fast-strings enable.
inline constexpr uint64_t MSR_IA32_MISC_ENABLE_FAST_STRING = 1 << 0;
// IA32_MTRR_DEF_TYPE: bits 7:0 default type (6 = write-back), bit 11 E (MTRRs enabled).
inline constexpr uint64_t MTRR_MEM_TYPE_WB = 0x6;
inline constexpr uint64_t MTRR_ENABLE = 1 << 11;

struct MsrEntry {
    uint32_t index = 0;
    uint64_t value = 0;
    friend bool operator==(const MsrEntry&, const MsrEntry&) = default;
};

[[nodiscard]] std::vector<MsrEntry> boot_msrs();

}  // namespace cw::vmm::x86
