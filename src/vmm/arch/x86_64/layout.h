// Guest-physical layout of a direct-boot x86_64 microVM (no firmware): where the VMM puts
// each boot structure. One table, so the loader, the boot structures, the devices and
// (later) the launch measurement all agree. Close to libkrun's and Firecracker's layouts.
#pragma once

#include <cstdint>

#include "vmm/memory/guest_address.h"

namespace cw::vmm::x86 {

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

// Boot GDT and a zero IDT (the kernel installs its own early). The GDT holds two null
// entries, __BOOT_CS (0x10), __BOOT_DS (0x18) and a 16-byte TSS descriptor: 0x30 bytes, so
// the IDT starts at 0x530.
inline constexpr GuestAddress kGdtAddr{0x500};
inline constexpr GuestAddress kIdtAddr{0x530};
// SEV-SNP only (docs/measurement.md): the CC blob with the SETUP_CC_BLOB setup_data element
// after it, the secrets page the firmware fills, and the CPUID page, one 4 KiB page each
// below the zero page (the secrets and CPUID GPAs are libkrun's). All three are reserved in
// e820: the guest must never take them for free RAM.
inline constexpr GuestAddress kSnpCcBlobAddr{0x4000};
inline constexpr GuestAddress kSnpCcSetupDataAddr{0x4040};
inline constexpr GuestAddress kSnpSecretsAddr{0x5000};
inline constexpr GuestAddress kSnpCpuidAddr{0x6000};
// Zero page (struct boot_params), passed to the kernel in RSI.
inline constexpr GuestAddress kZeroPageAddr{0x7000};
// Initial stack pointer for the boot vCPU.
inline constexpr GuestAddress kBootStackPointer{0x8ff0};
// Identity page tables: PML4, one PDPT, four PDs mapping [0, 4 GiB) with 2 MiB pages.
inline constexpr GuestAddress kPml4Addr{0x9000};
inline constexpr GuestAddress kPdptAddr{0xa000};
inline constexpr GuestAddress kPdAddr{0xb000};  // 4 pages: 0xb000..0xefff
inline constexpr uint64_t kIdentityMappedSize = 4 * kGiB;
// Kernel command line (NUL-terminated); its size limit comes from the kernel's setup header.
inline constexpr GuestAddress kCmdlineAddr{0x20000};
inline constexpr uint64_t kCmdlineMaxSize = 0x10000;
// Extended BIOS data area: reserved in e820; the MP table lives at its start, where Linux
// scans for the MP floating pointer.
inline constexpr GuestAddress kEbdaStart{0x9fc00};
inline constexpr GuestAddress kMpTableAddr = kEbdaStart;
// Conventional high memory starts at 1 MiB; [EBDA, 1 MiB) is reserved.
inline constexpr GuestAddress kHighMemStart{0x100000};
// Default load address of a bzImage's protected-mode kernel when it is not relocatable.
inline constexpr GuestAddress kBzImageLoadAddr{0x100000};

// The MMIO hole below 4 GiB: virtio-mmio windows, then the IOAPIC and LAPIC.
inline constexpr GuestAddress kMmioGapStart{0xd0000000};
inline constexpr GuestAddress kMmioGapEnd{0x100000000};
inline constexpr GuestAddress kVirtioMmioBase{0xd0000000};
inline constexpr uint64_t kVirtioMmioWindowSize = 0x1000;
inline constexpr GuestAddress kIoapicAddr{0xfec00000};
inline constexpr GuestAddress kLapicAddr{0xfee00000};
// RAM above the hole resumes at 4 GiB.
inline constexpr GuestAddress kHighRamStart{0x100000000};

// KVM needs three pages for the TSS and one for the EPT identity map, inside the hole.
inline constexpr GuestAddress kTssAddr{0xfffbd000};
inline constexpr GuestAddress kIdentityMapAddr{0xfffbc000};

// Legacy interrupt lines (IOAPIC pins): serial COM1 and the first virtio-mmio device.
inline constexpr uint32_t kSerialIrq = 4;
inline constexpr uint32_t kFirstVirtioIrq = 5;

// Port I/O: COM1, i8042 command/status, and the project's guest->VMM control port
// (docs/guest-abi.md): a 1-byte write reports the workload's exit status.
inline constexpr uint16_t kCom1Port = 0x3f8;
inline constexpr uint16_t kI8042DataPort = 0x60;
inline constexpr uint16_t kI8042CommandPort = 0x64;
inline constexpr uint16_t kExitStatusPort = 0x600;

}  // namespace cw::vmm::x86
