#include "vmm/arch/x86_64/gdt.h"

#include "vmm/arch/x86_64/layout.h"
#include "vmm/arch/x86_64/page_tables.h"

namespace cw::vmm::x86 {

namespace {

// Intel SDM vol. 3A, 2.5 "Control Registers" and 2.2.1 "Extended Feature Enable Register".
constexpr uint64_t kCr0Pe = 1 << 0;
constexpr uint64_t kCr0Et = 1 << 4;
constexpr uint64_t kCr0Pg = uint64_t{1} << 31;
constexpr uint64_t kCr4Pae = 1 << 5;
constexpr uint64_t kEferLme = 1 << 8;
constexpr uint64_t kEferLma = 1 << 10;

// Builds a descriptor from its parts (SDM vol. 3A, Figure 3-8). flags is the nibble
// G, D/B, L, AVL (bits 55:52); access is P, DPL, S, type (bits 47:40).
constexpr uint64_t descriptor(uint8_t flags, uint8_t access, uint32_t base, uint32_t limit) {
    return (uint64_t{base & 0xff000000u} << 32) | (uint64_t{flags & 0xfu} << 52) |
           (uint64_t{limit & 0xf0000u} << 32) | (uint64_t{access} << 40) | (uint64_t{base & 0x00ffffffu} << 16) |
           uint64_t{limit & 0xffffu};
}

// Code: G=1, L=1 (64-bit), D=0; P=1, DPL 0, S=1, type 0xb (execute/read, accessed).
// Data: G=1, D/B=1; P=1, DPL 0, S=1, type 0x3 (read/write, accessed).
// The accessed bits are preset because VM entry requires them on usable segments (SDM
// vol. 3C, "Checks on Guest Segment Registers") and so the CPU never writes this table.
constexpr uint64_t kBootCode = descriptor(0xa, 0x9b, 0, 0xfffff);
constexpr uint64_t kBootData = descriptor(0xc, 0x93, 0, 0xfffff);
// TSS: P=1, S=0, type 0xb (busy 64-bit TSS, the only TR type VM entry accepts in IA-32e
// mode), limit 0x67 (the 104-byte minimum 64-bit TSS), byte granular. The kernel loads its
// own TR before it enables interrupts, so nothing reads this TSS's contents.
constexpr uint64_t kBootTss = descriptor(0x0, 0x8b, 0, 0x67);

static_assert(kBootCode == 0x00af9b000000ffff);
static_assert(kBootData == 0x00cf93000000ffff);
static_assert(kBootTss == 0x00008b0000000067);

constexpr uint64_t kGdtBytes = sizeof(BootGdt);
// One zero 16-byte gate: any exception before the kernel loads its IDT becomes a triple
// fault, which KVM reports as a shutdown exit.
constexpr uint64_t kIdtBytes = 16;
static_assert(kGdtAddr.value() + kGdtBytes <= kIdtAddr.value(), "GDT ends before the IDT");
static_assert(kIdtAddr.value() + kIdtBytes <= kZeroPageAddr.value(), "IDT ends before the zero page");

}  // namespace

BootGdt boot_gdt() {
    static_assert(kBootCsSelector / 8 == 2 && kBootDsSelector / 8 == 3 && kBootTssSelector / 8 == 4);
    // Slot 5 is the TSS descriptor's upper half: base bits 63:32 (zero) and reserved bits.
    return {0, 0, kBootCode, kBootData, kBootTss, 0};
}

Segment segment_from_descriptor(uint64_t d, uint16_t selector) {
    auto bits = [d](unsigned shift, unsigned width) {
        return static_cast<uint32_t>((d >> shift) & ((uint64_t{1} << width) - 1));
    };
    Segment s;
    s.selector = selector;
    s.base = bits(16, 24) | (uint64_t{bits(56, 8)} << 24);
    s.type = static_cast<uint8_t>(bits(40, 4));
    s.s = static_cast<uint8_t>(bits(44, 1));
    s.dpl = static_cast<uint8_t>(bits(45, 2));
    s.present = static_cast<uint8_t>(bits(47, 1));
    s.avl = static_cast<uint8_t>(bits(52, 1));
    s.l = static_cast<uint8_t>(bits(53, 1));
    s.db = static_cast<uint8_t>(bits(54, 1));
    s.g = static_cast<uint8_t>(bits(55, 1));
    uint32_t limit = bits(0, 16) | (bits(48, 4) << 16);
    // With G set the limit counts 4 KiB units; the register holds it in bytes.
    s.limit = s.g ? (limit << 12) | 0xfff : limit;
    return s;
}

Result<LongModeState> setup_long_mode(GuestMemory& memory, uint64_t encryption_mask) {
    const BootGdt gdt = boot_gdt();
    CW_TRY(memory.write_obj(kGdtAddr, gdt).context("boot GDT"));
    CW_TRY(memory.fill(kIdtAddr, kIdtBytes, 0).context("boot IDT"));

    LongModeState state;
    state.cr3 = CW_TRY(write_page_tables(memory, encryption_mask));
    state.cr0 = kCr0Pe | kCr0Et | kCr0Pg;
    state.cr4 = kCr4Pae;
    state.efer = kEferLme | kEferLma;

    state.cs = segment_from_descriptor(gdt[kBootCsSelector / 8], kBootCsSelector);
    state.ds = segment_from_descriptor(gdt[kBootDsSelector / 8], kBootDsSelector);
    state.es = state.fs = state.gs = state.ss = state.ds;
    state.tr = segment_from_descriptor(gdt[kBootTssSelector / 8], kBootTssSelector);

    state.gdt_base = kGdtAddr.value();
    state.gdt_limit = static_cast<uint16_t>(kGdtBytes - 1);
    state.idt_base = kIdtAddr.value();
    state.idt_limit = static_cast<uint16_t>(kIdtBytes - 1);
    return state;
}

}  // namespace cw::vmm::x86
