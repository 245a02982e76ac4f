// The TD attributes given to KVM_TDX_INIT_VM. The TDX module enforces them for the TD's
// life and reports them in every TD report (TD_ATTRIBUTES, body offset 120), where a
// verifier checks them (shared/reference/attestation-facts.md 3.1, 3.2 step 7). Bit
// numbers are the TDX module ABI's ATTRIBUTES (Intel TDX Module Base Architecture
// Specification, "TD Parameters"), as Linux names them in arch/x86/include/asm/shared/tdx.h.
#pragma once

#include <cstdint>

namespace cw::tee::tdx {

// TD attribute bits.
inline constexpr uint64_t kTdAttrDebug = 1ULL << 0;           // the host may read and write the TD's state
inline constexpr uint64_t kTdAttrHgsPlusProf = 1ULL << 4;     // HGS+ profiling
inline constexpr uint64_t kTdAttrPerfProf = 1ULL << 5;        // performance profiling
inline constexpr uint64_t kTdAttrPmtProf = 1ULL << 6;         // PMT profiling
inline constexpr uint64_t kTdAttrIcssd = 1ULL << 16;          // ICSSD
inline constexpr uint64_t kTdAttrLass = 1ULL << 27;           // linear address space separation
inline constexpr uint64_t kTdAttrSeptVeDisable = 1ULL << 28;  // EPT violations on pending pages are not #VE
inline constexpr uint64_t kTdAttrMigratable = 1ULL << 29;     // the TD may be migrated (a migration TD sees it)
inline constexpr uint64_t kTdAttrPks = 1ULL << 30;            // protection keys for supervisor pages
inline constexpr uint64_t kTdAttrKl = 1ULL << 31;             // Key Locker
inline constexpr uint64_t kTdAttrTpa = 1ULL << 62;            // TD partitioning
inline constexpr uint64_t kTdAttrPerfmon = 1ULL << 63;        // the TD may use the PMU

// The ATTRIBUTES value every TD we launch gets. What is set, and why:
//   SEPT_VE_DISABLE (28)  always. Without it, an access to a private page the host has
//                         removed raises #VE in the guest, at whatever instruction made it,
//                         including places where the kernel cannot take one safely (e.g.
//                         syscall entry); with it the TD stops instead. Linux guests refuse
//                         to run without it unless DEBUG is set ("TD misconfiguration: SEPT
//                         #VE has to be disabled"), and it is the only attribute upstream
//                         KVM accepts (KVM_SUPPORTED_TD_ATTRS in Linux 6.16's tdx.c).
// and what is deliberately left clear:
//   DEBUG (0)             never: it lets the host read and write the TD's registers and
//                         memory, and verifiers reject TD_ATTRIBUTES.DEBUG = 1 (KVM 6.16
//                         does not even offer it);
//   MIGRATABLE (29)       no migration TD may ever copy the TD's memory out;
//   the profiling bits (4-6), ICSSD, LASS, PKS, KL, TPA, PERFMON: not requested; none adds
//                         to what this launch path protects, and KVM does not offer them.
[[nodiscard]] constexpr uint64_t tdx_td_attributes() { return kTdAttrSeptVeDisable; }

static_assert(tdx_td_attributes() == 0x10000000, "SEPT_VE_DISABLE only");
static_assert((tdx_td_attributes() & kTdAttrDebug) == 0, "debug is never requested");

}  // namespace cw::tee::tdx
