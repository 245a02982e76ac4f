// Serial8250 data path: output buffering, interrupts, host input, access policy.
#include "devices/legacy/serial_8250_test_util.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <string>

using cw::devices::Serial8250;
using cw::devices::test::Uart;
using namespace cw::devices::uart;

TEST_CASE("bytes written to THR reach the sink at a newline") {
    Uart u;
    u.send("hi\n");
    CHECK(u.output == "hi\n");
}

TEST_CASE("output without a newline waits for flush()") {
    Uart u;
    u.send("$ ");
    CHECK(u.output.empty());
    u.dev.flush();
    CHECK(u.output == "$ ");
}

TEST_CASE("clearing IER.ETBEI (the driver's stop_tx) hands partial output to the sink") {
    Uart u;
    u.out(kIer, kIerEtbei);
    u.send("login: ");
    u.out(kIer, kIerErbfi);
    CHECK(u.output == "login: ");
}

TEST_CASE("a full output buffer goes to the sink without a newline") {
    Uart u;
    u.send(std::string(Serial8250::kOutputBufferSize, 'x'));
    CHECK(u.sink_calls == 1);
    CHECK(u.output.size() == Serial8250::kOutputBufferSize);
}

TEST_CASE("in loopback THR bytes come back through RBR instead of the sink") {
    Uart u;
    u.out(kMcr, kMcrLoop);
    u.send("a\n");
    u.dev.flush();
    CHECK(u.output.empty());
    CHECK(u.in(kRbr) == 'a');
    CHECK(u.in(kRbr) == '\n');
}

TEST_CASE("enabling ETBEI raises a THRE interrupt that an IIR read clears") {
    Uart u;
    u.out(kIer, kIerEtbei);
    CHECK(u.interrupts == 1);
    CHECK(u.in(kIir) == kIirThre);
    CHECK(u.in(kIir) == kIirNoInterrupt);
}

TEST_CASE("re-enabling ETBEI re-asserts THRE (Linux's UART_BUG_THRE probe)") {
    Uart u;
    u.out(kIer, kIerEtbei);
    (void)u.in(kIir);
    u.out(kIer, 0);
    u.out(kIer, kIerEtbei);
    CHECK(u.interrupts == 2);
    CHECK(u.in(kIir) == kIirThre);
}

TEST_CASE("a THR write re-arms the THRE interrupt") {
    Uart u;
    u.out(kIer, kIerEtbei);
    (void)u.in(kIir);
    u.out(kThr, 'x');
    CHECK(u.interrupts == 2);
    CHECK(u.in(kIir) == kIirThre);
}

TEST_CASE("no new trigger while an interrupt is still pending (edge-triggered line)") {
    Uart u;
    u.out(kIer, kIerEtbei);
    u.out(kThr, 'x');
    u.out(kThr, 'y');
    CHECK(u.interrupts == 1);
}

TEST_CASE("host input sets LSR.DR and reads back in order through RBR") {
    Uart u;
    CHECK((u.in(kLsr) & kLsrDr) == 0);
    u.input("ok");
    CHECK((u.in(kLsr) & kLsrDr) != 0);
    CHECK(u.in(kRbr) == 'o');
    CHECK(u.in(kRbr) == 'k');
    CHECK((u.in(kLsr) & kLsrDr) == 0);
}

TEST_CASE("LSR always shows the transmitter empty") {
    Uart u;
    u.send("abc");
    CHECK((u.in(kLsr) & (kLsrThre | kLsrTemt)) == (kLsrThre | kLsrTemt));
}

TEST_CASE("host input raises the data-available interrupt when ERBFI is set") {
    Uart u;
    u.out(kIer, kIerErbfi);
    u.input("x");
    CHECK(u.interrupts == 1);
    CHECK(u.in(kIir) == kIirRda);
    (void)u.in(kRbr);
    CHECK(u.in(kIir) == kIirNoInterrupt);
}

TEST_CASE("host input raises no interrupt while ERBFI is clear") {
    Uart u;
    u.input("x");
    CHECK(u.interrupts == 0);
    CHECK(u.in(kIir) == kIirNoInterrupt);
}

TEST_CASE("received data outranks THRE in IIR") {
    Uart u;
    u.out(kIer, kIerErbfi | kIerEtbei);
    u.input("x");
    CHECK(u.in(kIir) == kIirRda);
}

TEST_CASE("input beyond the FIFO capacity is dropped and counted") {
    Uart u;
    u.input(std::string(Serial8250::kRxFifoCapacity + 36, 'z'));
    CHECK(u.dev.dropped_input_bytes() == 36);
    for (size_t i = 0; i < Serial8250::kRxFifoCapacity; ++i)
        (void)u.in(kRbr);
    CHECK((u.in(kLsr) & kLsrDr) == 0);
}

TEST_CASE("an overrun sets LSR.OE until LSR is read") {
    Uart u;
    u.input(std::string(Serial8250::kRxFifoCapacity + 1, 'z'));
    CHECK((u.in(kLsr) & kLsrOe) != 0);
    CHECK((u.in(kLsr) & kLsrOe) == 0);
}

TEST_CASE("an overrun raises the line-status interrupt when ELSI is set") {
    Uart u;
    u.out(kIer, kIerElsi);
    u.input(std::string(Serial8250::kRxFifoCapacity + 1, 'z'));
    CHECK(u.interrupts == 1);
    CHECK(u.in(kIir) == kIirRls);
}

TEST_CASE("an FCR receive-FIFO reset discards pending input") {
    Uart u;
    u.out(kFcr, kFcrFifoEnable);
    u.input("stale");
    u.out(kFcr, kFcrFifoEnable | kFcrRcvrFifoReset);
    CHECK((u.in(kLsr) & kLsrDr) == 0);
}

TEST_CASE("offsets past the last register read zero and ignore writes") {
    Uart u;
    u.out(kRegisterCount, 'x');
    u.out(UINT64_MAX, 'y');
    u.dev.flush();
    CHECK(u.output.empty());
    CHECK(u.in(kRegisterCount) == 0);
    CHECK(u.in(UINT64_MAX) == 0);
}

TEST_CASE("a wide write reaches consecutive registers and drops bytes past the end") {
    Uart u;
    const std::array<uint8_t, 2> bytes{0x55, 0xaa};
    u.dev.write(kScr, bytes);
    CHECK(u.in(kScr) == 0x55);
}

TEST_CASE("a wide read returns consecutive registers and zeros past the end") {
    Uart u;
    u.out(kScr, 0x77);
    std::array<uint8_t, 4> bytes{0xee, 0xee, 0xee, 0xee};
    u.dev.read(kMsr, bytes);
    CHECK(bytes == std::array<uint8_t, 4>{kMsrDcd | kMsrDsr | kMsrCts, 0x77, 0, 0});
}

TEST_CASE("accesses of 2, 4 and 8 bytes at any offset stay inside the span") {
    Uart u;
    std::array<uint8_t, 10> guard{};
    guard.fill(0xcc);
    for (size_t size : {2U, 4U, 8U}) {
        for (uint64_t offset = 0; offset < 10; ++offset) {
            u.dev.write(offset, std::span<const uint8_t>(guard.data() + 1, size));
            u.dev.read(offset, std::span(guard.data() + 1, size));
            CHECK(guard[0] == 0xcc);
            CHECK(guard[size + 1] == 0xcc);
        }
    }
}

TEST_CASE("the fd constructor writes output to the fd") {
    std::array<int, 2> fds{};
    REQUIRE(::pipe(fds.data()) == 0);
    {
        Serial8250 dev(fds[1], nullptr);
        const std::array<uint8_t, 3> line{'o', 'k', '\n'};
        for (uint8_t b : line)
            dev.write(kThr, std::span(&b, 1));
    }
    std::array<char, 8> got{};
    CHECK(::read(fds[0], got.data(), got.size()) == 3);
    CHECK(std::string(got.data(), 3) == "ok\n");
    ::close(fds[0]);
    ::close(fds[1]);
}
