#include "vmm/arch/x86_64/boot_regs.h"

#include <doctest/doctest.h>

using namespace cw::vmm;
using namespace cw::vmm::x86;

TEST_CASE("the boot vCPU enters at the kernel entry with the zero page in RSI") {
    auto regs = boot_registers(GuestAddress(0x1000200));
    CHECK(regs.rip == 0x1000200);
    CHECK(regs.rsi == kZeroPageAddr.value());
    CHECK(regs.rsp == kBootStackPointer.value());
    CHECK(regs.rbp == kBootStackPointer.value());
    CHECK(regs.rflags == 0x2);
}
