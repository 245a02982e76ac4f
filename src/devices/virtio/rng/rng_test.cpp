// virtio-rng through the real transport, queue eventfd and worker thread.
#include "devices/virtio/rng/rng.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/queue/queue_test_util.h"
#include "devices/virtio/testing/eventually.h"
#include "devices/virtio/testing/mmio_driver.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

struct RngFixture {
    RngFixture() {
        transport = must(MmioTransport::create(rng, mem, [this] { ++interrupts; }, {}, 0, events));
        REQUIRE(negotiate(*transport, kRingFeatures));
        setup_queue(*transport, 0, driver.queue_config(Rng::kQueueMaxSize));
        add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
        REQUIRE(transport->device_active());
    }
    void kick() { mmio_write32(*transport, VIRTIO_MMIO_QUEUE_NOTIFY, 0); }
    // Waits (bounded) for the next used element.
    std::optional<VirtqUsedElem> wait_used() {
        std::optional<VirtqUsedElem> used;
        eventually([&] { return (used = driver.next_used()).has_value(); });
        return used;
    }

    cw::vmm::GuestMemory mem = make_memory();
    MockDriver driver{mem, kRingBase, 8, kDataBase, kDataSize};
    std::shared_ptr<Rng> rng = Rng::create();
    std::shared_ptr<const QueueEvents> events = std::make_shared<QueueEvents>(must(QueueEvents::create(1)));
    std::atomic<int> interrupts{0};
    std::shared_ptr<MmioTransport> transport;
};

}  // namespace

TEST_CASE("virtio-rng fills every writable buffer of a chain, across descriptors") {
    RngFixture f;
    const std::array bufs{f.driver.writable(100), f.driver.writable(3000)};
    const uint16_t head = f.driver.add_chain(bufs);
    f.kick();
    auto used = f.wait_used();
    REQUIRE(used);
    CHECK(used->id == head);
    CHECK(used->len == 3100);
    // 3000 random bytes are all zero with probability 2^-24000.
    auto second = f.driver.contents(bufs[1]);
    CHECK(std::any_of(second.begin(), second.end(), [](uint8_t b) { return b != 0; }));
    CHECK(eventually([&] { return f.interrupts.load() >= 1; }));
    CHECK((f.transport->status() & VIRTIO_CONFIG_S_DRIVER_OK) != 0);
}

TEST_CASE("virtio-rng bounds the bytes given per chain") {
    RngFixture f;
    const std::array bufs{f.driver.writable(Rng::kMaxBytesPerChain + 4096)};
    f.driver.add_chain(bufs);
    f.kick();
    auto used = f.wait_used();
    REQUIRE(used);
    CHECK(used->len == Rng::kMaxBytesPerChain);
}

TEST_CASE("virtio-rng answers a chain without writable buffers with length 0") {
    RngFixture f;
    const std::array bufs{f.driver.readable("not for the device")};
    f.driver.add_chain(bufs);
    f.kick();
    auto used = f.wait_used();
    REQUIRE(used);
    CHECK(used->len == 0);
}

TEST_CASE("virtio-rng serves buffers made available before DRIVER_OK, without a kick") {
    cw::vmm::GuestMemory mem = make_memory();
    MockDriver driver{mem, kRingBase, 8, kDataBase, kDataSize};
    auto events = std::make_shared<const QueueEvents>(must(QueueEvents::create(1)));
    auto transport = must(MmioTransport::create(Rng::create(), mem, {}, {}, 0, events));
    REQUIRE(negotiate(*transport, kRingFeatures));
    setup_queue(*transport, 0, driver.queue_config(Rng::kQueueMaxSize));
    const std::array bufs{driver.writable(16)};
    driver.add_chain(bufs);
    add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
    std::optional<VirtqUsedElem> used;
    REQUIRE(eventually([&] { return (used = driver.next_used()).has_value(); }));
    CHECK(used->len == 16);
}

TEST_CASE("virtio-rng: a broken ring sets NEEDS_RESET; reset and a new activation work") {
    RngFixture f;
    f.driver.make_available(200);  // head index past the queue size
    f.kick();
    CHECK(eventually([&] { return (f.transport->status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }));
    CHECK(f.transport->needs_reset_reason().find("head") != std::string::npos);

    mmio_write32(*f.transport, VIRTIO_MMIO_STATUS, 0);
    CHECK(f.transport->status() == 0);
    MockDriver fresh{f.mem, kRingBase, 8, kDataBase, kDataSize};
    REQUIRE(negotiate(*f.transport, kRingFeatures));
    setup_queue(*f.transport, 0, fresh.queue_config(Rng::kQueueMaxSize));
    add_status(*f.transport, VIRTIO_CONFIG_S_DRIVER_OK);
    const std::array bufs{fresh.writable(32)};
    fresh.add_chain(bufs);
    f.kick();
    std::optional<VirtqUsedElem> used;
    REQUIRE(eventually([&] { return (used = fresh.next_used()).has_value(); }));
    CHECK(used->len == 32);
}
