// MmioTransport: identification, feature negotiation, the status state machine, queue
// registers, reset, config space, interrupts and the access-width policy.
#include <doctest/doctest.h>

#include <thread>

#include "devices/virtio/testing/transport_fixture.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

constexpr uint32_t kAck = VIRTIO_CONFIG_S_ACKNOWLEDGE;
constexpr uint32_t kDriver = VIRTIO_CONFIG_S_DRIVER;
constexpr uint32_t kFeaturesOk = VIRTIO_CONFIG_S_FEATURES_OK;
constexpr uint32_t kDriverOk = VIRTIO_CONFIG_S_DRIVER_OK;

// A device whose queue sizes are chosen by the test.
class SizedDevice final : public VirtioDevice {
public:
    explicit SizedDevice(std::vector<uint16_t> sizes) : m_sizes(std::move(sizes)) {}
    uint32_t device_type() const override { return VIRTIO_ID_RNG; }
    std::span<const uint16_t> queue_max_sizes() const override { return m_sizes; }
    uint64_t device_features() const override { return 0; }
    void ack_features(uint64_t) override {}
    void read_config(uint64_t, std::span<uint8_t>) override {}
    void write_config(uint64_t, std::span<const uint8_t>) override {}
    cw::Result<void> activate(ActivationContext) override { return {}; }
    void reset() override {}

private:
    std::vector<uint16_t> m_sizes;
};

bool creates(std::vector<uint16_t> sizes) {
    auto mem = make_memory();
    return MmioTransport::create(std::make_shared<SizedDevice>(std::move(sizes)), mem, {}, {}).ok();
}

}  // namespace

TEST_CASE("the window identifies a version 2 device of the device's type") {
    TransportFixture f;
    CHECK(f.rd(VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976);
    CHECK(f.rd(VIRTIO_MMIO_VERSION) == 2);
    CHECK(f.rd(VIRTIO_MMIO_DEVICE_ID) == EchoDevice::kDeviceType);
    CHECK(f.rd(VIRTIO_MMIO_VENDOR_ID) == kVirtioMmioVendorId);
}

TEST_CASE("create() refuses devices without queues or with bad queue sizes") {
    CHECK(creates({256, 1}));
    CHECK_FALSE(creates({}));
    CHECK_FALSE(creates({0}));
    CHECK_FALSE(creates({24}));
    CHECK_FALSE(creates({65535}));
}

TEST_CASE("create() accepts ACCESS_PLATFORM as a platform feature and nothing else") {
    TransportFixture f(feature_bit(VIRTIO_F_ACCESS_PLATFORM));
    CHECK((read_device_features(*f.transport) & feature_bit(VIRTIO_F_ACCESS_PLATFORM)) != 0);
    auto mem = make_memory();
    CHECK_FALSE(
        MmioTransport::create(std::make_shared<EchoDevice>(), mem, {}, {}, feature_bit(VIRTIO_F_RING_PACKED)).ok());
}

TEST_CASE("device features come in two 32-bit pages; other pages read 0") {
    TransportFixture f;
    const uint64_t expected = EchoDevice::kFeatureEcho | MmioTransport::kTransportFeatures;
    CHECK(read_device_features(*f.transport) == expected);
    f.wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    CHECK(f.rd(VIRTIO_MMIO_DEVICE_FEATURES) == 0);
    CHECK((expected & feature_bit(VIRTIO_F_ACCESS_PLATFORM)) == 0);  // only when the VMM asks
}

TEST_CASE("driver features are masked to the offered bits") {
    TransportFixture f;
    add_status(*f.transport, kAck | kDriver);
    write_driver_features(*f.transport, ~uint64_t{0});
    CHECK(f.transport->driver_features() == f.transport->offered_features());
}

TEST_CASE("FEATURES_OK sticks and the device sees the accepted features") {
    TransportFixture f;
    REQUIRE(negotiate(*f.transport, feature_bit(VIRTIO_F_VERSION_1) | EchoDevice::kFeatureEcho));
    CHECK(f.echo->acked_features() == (feature_bit(VIRTIO_F_VERSION_1) | EchoDevice::kFeatureEcho));
}

TEST_CASE("FEATURES_OK is refused without VIRTIO_F_VERSION_1") {
    TransportFixture f;
    CHECK_FALSE(negotiate(*f.transport, EchoDevice::kFeatureEcho));
    CHECK(f.status() == (kAck | kDriver));
}

TEST_CASE("driver features cannot change after FEATURES_OK") {
    TransportFixture f;
    REQUIRE(negotiate(*f.transport, kRingFeatures));
    write_driver_features(*f.transport, feature_bit(VIRTIO_F_VERSION_1));
    CHECK(f.transport->driver_features() == kRingFeatures);
}

TEST_CASE("driver features cannot be written before DRIVER") {
    TransportFixture f;
    write_driver_features(*f.transport, kRingFeatures);
    CHECK(f.transport->driver_features() == 0);
}

TEST_CASE("status steps cannot be skipped") {
    TransportFixture f;
    f.wr(VIRTIO_MMIO_STATUS, kDriver);
    CHECK(f.status() == 0);
    f.wr(VIRTIO_MMIO_STATUS, kAck | kDriverOk);
    CHECK(f.status() == kAck);
}

TEST_CASE("status bits are cleared only by a reset") {
    TransportFixture f;
    add_status(*f.transport, kAck | kDriver);
    f.wr(VIRTIO_MMIO_STATUS, kAck);
    CHECK(f.status() == (kAck | kDriver));
}

TEST_CASE("the driver cannot set DEVICE_NEEDS_RESET; FAILED is recorded") {
    TransportFixture f;
    add_status(*f.transport, kAck | VIRTIO_CONFIG_S_NEEDS_RESET);
    CHECK(f.status() == kAck);
    add_status(*f.transport, VIRTIO_CONFIG_S_FAILED);
    CHECK(f.status() == (kAck | VIRTIO_CONFIG_S_FAILED));
}

TEST_CASE("QueueNumMax shows each queue's maximum and 0 past the last queue") {
    TransportFixture f;
    CHECK(f.rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == EchoDevice::kQueueMaxSize);
    f.wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    CHECK(f.rd(VIRTIO_MMIO_QUEUE_NUM_MAX) == 0);
    f.wr(VIRTIO_MMIO_QUEUE_READY, 1);
    CHECK(f.rd(VIRTIO_MMIO_QUEUE_READY) == 0);
}

TEST_CASE("queue registers are ignored once the queue is ready") {
    TransportFixture f;
    REQUIRE(negotiate(*f.transport, kRingFeatures));
    setup_queue(*f.transport, 0, f.driver.queue_config(16));
    f.wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12345000);  // would move the table outside memory
    f.wr(VIRTIO_MMIO_QUEUE_NUM, 3);
    add_status(*f.transport, kDriverOk);
    CHECK(f.echo->active());
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) == 0);
}

TEST_CASE("queue registers are ignored after DRIVER_OK") {
    TransportFixture f;
    f.bring_up();
    f.wr(VIRTIO_MMIO_QUEUE_READY, 0);
    CHECK(f.rd(VIRTIO_MMIO_QUEUE_READY) == 1);
}

TEST_CASE("DRIVER_OK activates the device with the ready queue") {
    TransportFixture f;
    f.bring_up();
    CHECK(f.status() == (kAck | kDriver | kFeaturesOk | kDriverOk));
    CHECK(f.transport->device_active());
    CHECK(f.echo->active());
}

TEST_CASE("DRIVER_OK with an invalid queue sets DEVICE_NEEDS_RESET instead of activating") {
    TransportFixture f;
    REQUIRE(negotiate(*f.transport, kRingFeatures));
    auto config = f.driver.queue_config(16);
    config.size = 3;
    setup_queue(*f.transport, 0, config);
    add_status(*f.transport, kDriverOk);
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
    CHECK_FALSE(f.echo->active());
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
    CHECK(f.triggers == 1);
    CHECK(f.transport->needs_reset_reason().find("queue 0") != std::string::npos);
}

TEST_CASE("a failed activate() sets DEVICE_NEEDS_RESET") {
    TransportFixture f;
    f.echo->fail_next_activation();
    f.bring_up();
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
    CHECK_FALSE(f.transport->device_active());
}

TEST_CASE("writing 0 to Status resets the device, the queues and the features") {
    TransportFixture f;
    f.bring_up();
    f.wr(VIRTIO_MMIO_STATUS, 0);
    CHECK(f.status() == 0);
    CHECK_FALSE(f.echo->active());
    CHECK(f.echo->resets() == 1);
    CHECK(f.transport->driver_features() == 0);
    CHECK(f.rd(VIRTIO_MMIO_QUEUE_READY) == 0);
    // The queue can be set up again from scratch.
    f.bring_up();
    CHECK(f.echo->active());
}

TEST_CASE("QueueNotify reaches the notifier only while the device is active") {
    TransportFixture f;
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.notifies.empty());
    f.bring_up();
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);  // no such queue
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    CHECK(f.notifies == std::vector<uint16_t>{0});
}

TEST_CASE("config space reads and writes reach the device at offset - 0x100, any width") {
    TransportFixture f;
    std::array<uint8_t, 2> half{0x34, 0x12};
    f.transport->write(VIRTIO_MMIO_CONFIG + EchoDevice::kConfigScratch + 1, half);
    CHECK(f.rd(VIRTIO_MMIO_CONFIG + EchoDevice::kConfigScratch) == 0x123400);
    std::array<uint8_t, 8> all{};
    all.fill(0xff);
    f.transport->read(VIRTIO_MMIO_CONFIG, all);
    CHECK(all == std::array<uint8_t, 8>{0, 0, 0, 0, 0x00, 0x34, 0x12, 0});
}

TEST_CASE("config space past the device's config reads as zeros") {
    TransportFixture f;
    f.wr(VIRTIO_MMIO_CONFIG + EchoDevice::kConfigScratch, 0xaabbccdd);
    std::array<uint8_t, 8> b{};
    f.transport->read(VIRTIO_MMIO_CONFIG + 6, b);
    CHECK(b == std::array<uint8_t, 8>{0xbb, 0xaa, 0, 0, 0, 0, 0, 0});
    f.transport->read(kVirtioMmioWindowSize + 0x10, b);
    CHECK(b == std::array<uint8_t, 8>{});
}

TEST_CASE("a config change sets InterruptStatus bit 1 and bumps ConfigGeneration") {
    TransportFixture f;
    f.bring_up();
    const uint32_t generation = f.rd(VIRTIO_MMIO_CONFIG_GENERATION);
    f.echo->change_config(7);
    CHECK(f.rd(VIRTIO_MMIO_CONFIG_GENERATION) == generation + 1);
    CHECK(f.triggers == 1);
    CHECK(take_interrupt(*f.transport) == VIRTIO_MMIO_INT_CONFIG);
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
}

TEST_CASE("InterruptACK clears only the bits written") {
    TransportFixture f;
    f.bring_up();
    f.driver.add_chain(std::array{f.driver.writable(4)});
    f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    f.echo->change_config(1);
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG));
    f.wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    CHECK(f.rd(VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
}

TEST_CASE("register accesses that are not 4 bytes wide and aligned read 0 and are ignored") {
    TransportFixture f;
    std::array<uint8_t, 2> two{0xff, 0xff};
    f.transport->read(VIRTIO_MMIO_MAGIC_VALUE, two);
    CHECK(two == std::array<uint8_t, 2>{});
    std::array<uint8_t, 4> four{0xff, 0xff, 0xff, 0xff};
    f.transport->read(VIRTIO_MMIO_MAGIC_VALUE + 2, four);
    CHECK(four == std::array<uint8_t, 4>{});
    const std::array<uint8_t, 8> eight{kAck, 0, 0, 0, 0, 0, 0, 0};
    f.transport->write(VIRTIO_MMIO_STATUS, eight);
    const std::array<uint8_t, 1> one{kAck};
    f.transport->write(VIRTIO_MMIO_STATUS, one);
    CHECK(f.status() == 0);
}

TEST_CASE("shared memory regions read as absent (length -1)") {
    TransportFixture f;
    CHECK(f.rd(VIRTIO_MMIO_SHM_LEN_LOW) == 0xffffffff);
    CHECK(f.rd(VIRTIO_MMIO_SHM_LEN_HIGH) == 0xffffffff);
}

TEST_CASE("concurrent vCPUs, a device signalling and resets leave the transport consistent") {
    TransportFixture f;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        while (!done) {
            const uint32_t s = f.rd(VIRTIO_MMIO_STATUS);
            CHECK(((s & kDriverOk) == 0 || (s & kFeaturesOk) != 0));
            f.wr(VIRTIO_MMIO_INTERRUPT_ACK, f.rd(VIRTIO_MMIO_INTERRUPT_STATUS));
            (void)f.rd(VIRTIO_MMIO_CONFIG_GENERATION);
        }
    });
    std::thread host([&] {
        for (uint32_t i = 0; !done; ++i)
            f.echo->change_config(i);
    });
    for (int i = 0; i < 200; ++i) {
        MockDriver driver(f.mem, kRingBase, 8, kDataBase, kDataSize);
        REQUIRE(negotiate(*f.transport, kRingFeatures));
        setup_queue(*f.transport, 0, driver.queue_config(EchoDevice::kQueueMaxSize));
        add_status(*f.transport, kDriverOk);
        driver.add_chain(std::array{driver.readable("x"), driver.writable(1)});
        f.wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        CHECK(driver.used_idx() == 1);
        f.wr(VIRTIO_MMIO_STATUS, 0);
    }
    done = true;
    reader.join();
    host.join();
    CHECK(f.status() == 0);
}
