// End to end through the transport: a mock driver probes the echo device, submits chains,
// kicks through QueueNotify, and reads the used ring and InterruptStatus back.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/virtio/testing/transport_fixture.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("echo: a direct chain comes back with its bytes copied and an interrupt") {
    TransportFixture f;
    f.bring_up();
    const auto out = f.driver.writable(16);
    const uint16_t head = f.driver.add_chain(std::array{f.driver.readable("ping"), out});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    auto used = f.driver.next_used();
    REQUIRE(used);
    CHECK(used->id == head);
    CHECK(used->len == 4);
    const auto echoed = f.driver.contents(out);
    CHECK(std::vector(echoed.begin(), echoed.begin() + 4) == bytes("ping"));
    CHECK(f.triggers == 1);
    CHECK(take_interrupt(*f.transport) == VIRTIO_MMIO_INT_VRING);
}

TEST_CASE("echo: an indirect chain split over several buffers each way") {
    TransportFixture f;
    f.bring_up();
    const std::array outs{f.driver.writable(3), f.driver.writable(8)};
    f.driver.add_indirect_chain(
        std::array{f.driver.readable("hello, "), f.driver.readable("virtio"), outs[0], outs[1]});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    auto used = f.driver.next_used();
    REQUIRE(used);
    CHECK(used->len == 11);  // 13 readable bytes, 11 writable
    CHECK(f.driver.contents(outs[0]) == bytes("hel"));
    CHECK(f.driver.contents(outs[1]) == bytes("lo, virt"));
}

TEST_CASE("echo: several chains in one kick, one interrupt") {
    TransportFixture f;
    f.bring_up();
    for (int i = 0; i < 5; ++i)
        f.driver.add_chain(std::array{f.driver.readable("x"), f.driver.writable(1)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.driver.used_idx() == 5);
    CHECK(f.triggers == 1);
    CHECK(f.echo->chains_echoed() == 5);
    CHECK(f.rd(VIRTIO_MMIO_CONFIG + EchoDevice::kConfigChains) == 5);
}

TEST_CASE("echo: EVENT_IDX suppresses the interrupt until used_event is reached") {
    TransportFixture f;
    f.bring_up();
    f.driver.set_used_event(1);  // interrupt when used idx passes 1
    f.driver.add_chain(std::array{f.driver.writable(1)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.triggers == 0);
    f.driver.add_chain(std::array{f.driver.writable(1)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.triggers == 1);
    CHECK(f.driver.avail_event() == 2);  // the device asks for a kick at the next buffer
}

TEST_CASE("echo: a broken ring sets DEVICE_NEEDS_RESET with a config interrupt") {
    TransportFixture f;
    f.bring_up();
    f.driver.set_avail_idx(100);
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
    CHECK(f.triggers == 1);
    CHECK(f.transport->needs_reset_reason().find("avail idx") != std::string::npos);
    // Further kicks do nothing; a reset brings the device back.
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.triggers == 1);
    f.wr(VIRTIO_MMIO_STATUS, 0);
    CHECK(f.status() == 0);
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
    CHECK(f.transport->needs_reset_reason().empty());
}

TEST_CASE("echo: after a reset and a new probe the queue starts from index 0 again") {
    TransportFixture f;
    f.bring_up();
    f.driver.add_chain(std::array{f.driver.writable(1)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    f.wr(VIRTIO_MMIO_STATUS, 0);
    MockDriver fresh(f.mem, kRingBase, 8, kDataBase, kDataSize);  // re-zeroes the rings
    f.bring_up();
    fresh.add_chain(std::array{fresh.readable("a"), fresh.writable(1)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    auto used = fresh.next_used();
    REQUIRE(used);
    CHECK(used->len == 1);
}
