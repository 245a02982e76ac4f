// The boot GDT, a zero IDT and the long-mode register state the 64-bit boot protocol
// requires (Documentation/arch/x86/boot.rst, "64-bit BOOT PROTOCOL"): paging on with an
// identity map, a GDT with flat __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18,
// read/write), CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, interrupts off.
//
// Segment and LongModeState are plain structs; the kvm layer turns them into kvm_sregs.
#pragma once

#include <array>
#include <cstdint>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::x86 {

inline constexpr uint16_t kBootCsSelector = 0x10;   // __BOOT_CS
inline constexpr uint16_t kBootDsSelector = 0x18;   // __BOOT_DS
inline constexpr uint16_t kBootTssSelector = 0x20;  // a 16-byte system descriptor: slots 4 and 5

// A loaded segment register, hidden part included; mirrors struct kvm_segment. limit is
// in bytes (already scaled by G), as VMX and SVM hold it.
struct Segment {
    uint64_t base = 0;
    uint32_t limit = 0;
    uint16_t selector = 0;
    uint8_t type = 0, present = 0, dpl = 0, db = 0, s = 0, l = 0, g = 0, avl = 0;
    friend bool operator==(const Segment&, const Segment&) = default;
};

struct LongModeState {
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    Segment cs, ds, es, fs, gs, ss, tr;
    uint64_t gdt_base = 0;
    uint16_t gdt_limit = 0;
    uint64_t idt_base = 0;
    uint16_t idt_limit = 0;
};

// The boot GDT's 8-byte slots, as written at kGdtAddr.
using BootGdt = std::array<uint64_t, 6>;
[[nodiscard]] BootGdt boot_gdt();

// Decodes an 8-byte segment descriptor (Intel SDM vol. 3A, 3.4.5 "Segment Descriptors")
// into the segment register it loads when selected by `selector`. For a 16-byte system
// descriptor (TSS) this is the low half: base bits 63:32 sit in the next slot and are
// taken as zero.
[[nodiscard]] Segment segment_from_descriptor(uint64_t descriptor, uint16_t selector);

// Writes the GDT at kGdtAddr, a zero IDT at kIdtAddr and the identity page tables; returns
// the boot vCPU's control registers, EFER and segments to match. `encryption_mask` goes into
// every page-table entry (write_page_tables).
[[nodiscard]] Result<LongModeState> setup_long_mode(GuestMemory& memory, uint64_t encryption_mask = 0);

}  // namespace cw::vmm::x86
