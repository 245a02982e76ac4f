// Serial8250 as Linux's 8250 driver probes it: autoconfig must find a 16550A.
#include "devices/legacy/serial_8250_test_util.h"

#include <doctest/doctest.h>

#include <string>

using cw::devices::Serial8250;
using cw::devices::test::Uart;
using namespace cw::devices::uart;

namespace {

constexpr uint8_t kLcr8N1 = 0x03;
// Linux's probe constants (include/uapi/linux/serial_reg.h).
constexpr uint8_t kLinuxLoopbackMcr = kMcrLoop | kMcrOut2 | kMcrRts;  // 0x1a
constexpr uint8_t kLcrConfModeA = 0x80;
constexpr uint8_t kLcrConfModeB = 0xbf;
constexpr uint8_t kLcrNsBank2 = 0xe0;
constexpr uint8_t kFcr7_64Byte = 0x20;
constexpr uint8_t kIerUue = 0x40;

// Linux's autoconfig() and autoconfig_16550a() (drivers/tty/serial/8250/8250_port.c),
// reduced to the probes that decide the port type, in the kernel's order.
std::string linux_autoconfig(Uart& u) {
    u.out(kIer, 0);
    const uint8_t ier_cleared = u.in(kIer) & kIerMask;
    u.out(kIer, kIerMask);
    const uint8_t ier_set = u.in(kIer) & kIerMask;
    u.out(kIer, 0);
    if (ier_cleared != 0 || ier_set != kIerMask)
        return "no UART (IER test)";
    u.out(kMcr, kLinuxLoopbackMcr);
    const uint8_t loop_msr = u.in(kMsr) & 0xf0;
    u.out(kMcr, 0);
    if (loop_msr != (kMsrDcd | kMsrCts))
        return "no UART (loopback test)";
    u.out(kLcr, kLcrConfModeB);
    u.out(kFcr, 0);  // EFR write, FCR on a 16550A
    u.out(kLcr, 0);
    u.out(kFcr, kFcrFifoEnable);
    if ((u.in(kIir) >> 6) != 3)
        return "not a 16550A (IIR FIFO bits)";
    u.out(kLcr, kLcrConfModeA);
    if (u.in(kIir) == 0)
        return "16650 (EFR with DLAB)";
    u.out(kLcr, kLcrConfModeB);
    if (u.in(kIir) == 0)
        return "EFR v2 UART";
    u.out(kLcr, 0);
    const uint8_t mcr = u.in(kMcr);
    u.out(kLcr, kLcrNsBank2);
    if (((u.in(kIir) ^ mcr) & kMcrLoop) == 0) {
        u.out(kLcr, 0);
        u.out(kMcr, mcr ^ kMcrLoop);
        u.out(kLcr, kLcrNsBank2);
        const uint8_t excr1 = u.in(kIir);
        u.out(kLcr, 0);
        u.out(kMcr, mcr);
        if (((excr1 ^ mcr) & kMcrLoop) != 0)
            return "NS16550A";
    }
    u.out(kLcr, 0);
    u.out(kFcr, kFcrFifoEnable | kFcr7_64Byte);
    const uint8_t without_dlab = u.in(kIir) & 0xe0;
    u.out(kLcr, kLcrConfModeA);
    u.out(kFcr, kFcrFifoEnable | kFcr7_64Byte);
    const uint8_t with_dlab = u.in(kIir) & 0xe0;
    u.out(kLcr, 0);
    if (without_dlab == 0xc0 && with_dlab == 0xe0)
        return "16750";
    u.out(kIer, kIerUue);
    if ((u.in(kIer) & kIerUue) != 0)
        return "XScale";
    return "16550A";
}

}  // namespace

TEST_CASE("IER keeps bits 0-3 only, as Linux's existence probe expects") {
    Uart u;
    u.out(kIer, 0xff);
    CHECK(u.in(kIer) == kIerMask);
}

TEST_CASE("Linux's loopback test sees DCD and CTS for MCR = LOOP|OUT2|RTS") {
    Uart u;
    u.out(kMcr, kLinuxLoopbackMcr);
    CHECK((u.in(kMsr) & 0xf0) == 0x90);
}

TEST_CASE("loopback maps DTR to DSR and OUT1 to RI") {
    Uart u;
    u.out(kMcr, kMcrLoop | kMcrDtr | kMcrOut1);
    CHECK(u.in(kMsr) == (kMsrDsr | kMsrRi));
}

TEST_CASE("outside loopback MSR shows a connected terminal") {
    Uart u;
    CHECK(u.in(kMsr) == (kMsrDcd | kMsrDsr | kMsrCts));
}

TEST_CASE("IIR reports FIFOs enabled (0xc0) after FCR enables them") {
    Uart u;
    CHECK((u.in(kIir) & kIirFifosEnabled) == 0);
    u.out(kFcr, kFcrFifoEnable);
    CHECK(u.in(kIir) == (kIirFifosEnabled | kIirNoInterrupt));
    u.out(kFcr, 0);
    CHECK(u.in(kIir) == kIirNoInterrupt);
}

TEST_CASE("the 16750's 64-byte FIFO bit is never reported") {
    Uart u;
    u.out(kFcr, kFcrFifoEnable | kFcr7_64Byte);
    CHECK((u.in(kIir) & 0xe0) == 0xc0);
}

TEST_CASE("Linux's autoconfig classifies the UART as a 16550A") {
    Uart u;
    CHECK(linux_autoconfig(u) == "16550A");
    CHECK(u.output.empty());
}

TEST_CASE("DLAB maps offsets 0 and 1 to DLL/DLM without output or IER changes") {
    Uart u;
    u.out(kIer, kIerErbfi);
    u.out(kLcr, kLcrDlab | kLcr8N1);
    u.out(kDll, 0x0c);
    u.out(kDlm, 0x01);
    u.out(kThr, '\n');
    CHECK(u.in(kDll) == '\n');
    CHECK(u.in(kDlm) == 0x01);
    u.out(kLcr, kLcr8N1);
    u.dev.flush();
    CHECK(u.output.empty());
    CHECK(u.in(kIer) == kIerErbfi);
}

TEST_CASE("the divisor latch is non-zero at reset (Linux's probe_baud divides by it)") {
    Uart u;
    u.out(kLcr, kLcrDlab);
    CHECK((u.in(kDll) | u.in(kDlm) << 8) != 0);
}

TEST_CASE("the scratch register holds a written value") {
    Uart u;
    u.out(kScr, 0xa5);
    CHECK(u.in(kScr) == 0xa5);
}
