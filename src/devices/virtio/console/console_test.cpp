// The device's identity, config space, activation, NEEDS_RESET and reset.
#include <doctest/doctest.h>
#include <pty.h>
#include <sys/ioctl.h>

#include <array>
#include <cstring>

#include "devices/virtio/console/console_test_fixture.h"

namespace cw::devices::virtio::test {

namespace {

VirtioConsoleConfig read_console_config(MmioTransport& transport) {
    std::array<uint8_t, sizeof(VirtioConsoleConfig)> bytes{};
    transport.read(VIRTIO_MMIO_CONFIG, bytes);
    VirtioConsoleConfig config{};
    std::memcpy(&config, bytes.data(), sizeof config);
    return config;
}

struct Pty {
    Pty() {
        winsize size{};
        size.ws_col = 132;
        size.ws_row = 43;
        int m = -1;
        int s = -1;
        REQUIRE(::openpty(&m, &s, nullptr, nullptr, &size) == 0);
        master = UniqueFd(m);
        slave = UniqueFd(s);
    }
    UniqueFd master;
    UniqueFd slave;
};

}  // namespace

TEST_CASE("a console without a terminal is device 3 with two queues and no features") {
    Pipe in;
    Pipe out;
    auto console = must(Console::create(in.read_end.get(), out.write_end.get()));
    CHECK(console->device_type() == VIRTIO_ID_CONSOLE);
    CHECK(console->queue_max_sizes().size() == 2);
    CHECK(console->queue_max_sizes()[0] == 256);
    CHECK(console->queue_max_sizes()[1] == 256);
    CHECK(console->device_features() == 0);
}

TEST_CASE("a console refuses a closed output fd") {
    Pipe out;
    const int closed = out.write_end.get();
    out.write_end.reset();
    auto console = Console::create(-1, closed);
    REQUIRE_FALSE(console.ok());
    CHECK(console.error().message().find("output fd") != std::string::npos);
}

TEST_CASE("a terminal input offers VIRTIO_CONSOLE_F_SIZE with its window size") {
    Pty pty;
    Pipe out;
    ConsoleFixture f(pty.slave.get(), out.write_end.get());
    CHECK(f.console->device_features() == feature_bit(VIRTIO_CONSOLE_F_SIZE));
    f.bring_up();
    const VirtioConsoleConfig config = read_console_config(*f.transport);
    CHECK(config.cols == 132);
    CHECK(config.rows == 43);
    CHECK(config.max_nr_ports == 1);
    CHECK(config.emerg_wr == 0);
}

TEST_CASE("resize updates cols and rows and raises a config change interrupt") {
    Pty pty;
    Pipe out;
    ConsoleFixture f(pty.slave.get(), out.write_end.get());
    f.bring_up();
    (void)take_interrupt(*f.transport);
    const uint32_t generation = mmio_read32(*f.transport, VIRTIO_MMIO_CONFIG_GENERATION);
    const int before = f.interrupts.load();
    f.console->resize(80, 24);
    CHECK(f.interrupts.load() == before + 1);
    CHECK((take_interrupt(*f.transport) & 2) != 0);
    CHECK(mmio_read32(*f.transport, VIRTIO_MMIO_CONFIG_GENERATION) != generation);
    const VirtioConsoleConfig config = read_console_config(*f.transport);
    CHECK(config.cols == 80);
    CHECK(config.rows == 24);
}

TEST_CASE("resize without the negotiated size feature raises no interrupt") {
    Pty pty;
    Pipe out;
    ConsoleFixture f(pty.slave.get(), out.write_end.get());
    f.bring_up(kRingFeatures);
    const int before = f.interrupts.load();
    f.console->resize(80, 24);
    CHECK(f.interrupts.load() == before);
}

TEST_CASE("config space is read-only for the driver") {
    Pty pty;
    Pipe out;
    ConsoleFixture f(pty.slave.get(), out.write_end.get());
    f.bring_up();
    mmio_write32(*f.transport, VIRTIO_MMIO_CONFIG, 0x00010001);
    mmio_write32(*f.transport, VIRTIO_MMIO_CONFIG + 8, 'A');
    const VirtioConsoleConfig config = read_console_config(*f.transport);
    CHECK(config.cols == 132);
    CHECK(config.emerg_wr == 0);
}

TEST_CASE("activation needs both queues") {
    Pipe out;
    ConsoleFixture f(-1, out.write_end.get());
    REQUIRE(negotiate(*f.transport, kRingFeatures));
    setup_queue(*f.transport, kConsoleTransmitQueue, f.tx->queue_config(Console::kQueueMaxSize));
    add_status(*f.transport, VIRTIO_CONFIG_S_DRIVER_OK);
    CHECK_FALSE(f.console->active());
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
    CHECK(f.transport->needs_reset_reason().find("receiveq0") != std::string::npos);
}

TEST_CASE("a broken transmit ring sets DEVICE_NEEDS_RESET") {
    Pipe out;
    ConsoleFixture f(-1, out.write_end.get());
    f.bring_up();
    const auto buffer = f.tx->readable("x");
    f.tx->write_desc(0, VirtqDesc{buffer.addr.value(), buffer.len, VIRTQ_DESC_F_NEXT, 200});  // next >= size
    f.tx->make_available(0);
    f.kick(kConsoleTransmitQueue);
    CHECK(eventually([&] { return (f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }));
    CHECK(f.transport->needs_reset_reason().find("transmitq0") != std::string::npos);
}

TEST_CASE("a broken receive ring sets DEVICE_NEEDS_RESET and input stops") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    f.rx->make_available(99);  // head index >= queue size
    f.kick(kConsoleReceiveQueue);
    in.write("ignored");
    CHECK(eventually([&] { return (f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }));
    CHECK(f.transport->needs_reset_reason().find("receiveq0") != std::string::npos);
}

TEST_CASE("reset stops the device and a second activation works") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    const std::array first{f.tx->readable("before reset\n")};
    f.tx->add_chain(first);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);

    mmio_write32(*f.transport, VIRTIO_MMIO_STATUS, 0);
    CHECK_FALSE(f.console->active());
    in.write("typed across reset");

    f.fresh_drivers();
    f.bring_up();
    const std::array second{f.tx->readable("after reset\n")};
    f.tx->add_chain(second);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);
    CHECK(out.drain() == "before reset\nafter reset\n");
    const std::array chain{f.rx->writable(64)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(f.text(*f.rx, chain[0], used.len) == "typed across reset");
}

}  // namespace cw::devices::virtio::test
