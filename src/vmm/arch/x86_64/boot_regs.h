// General-purpose registers of the boot vCPU at the kernel's 64-bit entry
// (Documentation/arch/x86/boot.rst, "64-bit BOOT PROTOCOL": %rsi holds the zero page's
// address; interrupts are off). A plain struct; the kvm layer turns it into kvm_regs.
#pragma once

#include <cstdint>

#include "vmm/arch/x86_64/layout.h"
#include "vmm/memory/guest_address.h"

namespace cw::vmm::x86 {

// RFLAGS bit 1 is reserved and always 1; IF (bit 9) clear keeps interrupts off.
inline constexpr uint64_t kBootRflags = 0x2;

struct BootRegisters {
    uint64_t rip = 0, rsp = 0, rbp = 0, rsi = 0, rflags = 0;
};

[[nodiscard]] constexpr BootRegisters boot_registers(GuestAddress entry) {
    BootRegisters regs;
    regs.rip = entry.value();
    regs.rsp = kBootStackPointer.value();
    regs.rbp = kBootStackPointer.value();
    regs.rsi = kZeroPageAddr.value();
    regs.rflags = kBootRflags;
    return regs;
}

}  // namespace cw::vmm::x86
