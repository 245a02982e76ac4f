// Shared set-up for the transport tests: an EchoDevice behind an MmioTransport over the
// queue tests' guest memory, a mock driver for queue 0, and counters for the callbacks.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/queue/queue_test_util.h"
#include "devices/virtio/testing/echo_device.h"
#include "devices/virtio/testing/mmio_driver.h"

namespace cw::devices::virtio::test {

struct TransportFixture {
    explicit TransportFixture(uint64_t platform_features = 0) {
        transport = must(MmioTransport::create(
            echo, mem, [this] { ++triggers; },
            [this](uint16_t queue) {
                notifies.push_back(queue);
                echo->process_queue(queue);
            },
            platform_features));
    }

    [[nodiscard]] uint32_t rd(uint64_t offset) { return mmio_read32(*transport, offset); }
    void wr(uint64_t offset, uint32_t value) { mmio_write32(*transport, offset, value); }
    [[nodiscard]] uint32_t status() { return rd(VIRTIO_MMIO_STATUS); }

    // Linux's probe: negotiate, set up queue 0 from the mock driver, DRIVER_OK.
    void bring_up(uint64_t wanted = kRingFeatures | EchoDevice::kFeatureEcho) {
        REQUIRE(negotiate(*transport, wanted));
        setup_queue(*transport, 0, driver.queue_config(EchoDevice::kQueueMaxSize));
        add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
    }

    vmm::GuestMemory mem = make_memory();
    MockDriver driver{mem, kRingBase, 8, kDataBase, kDataSize};
    std::shared_ptr<EchoDevice> echo = std::make_shared<EchoDevice>();
    std::atomic<int> triggers{0};
    std::vector<uint16_t> notifies;
    std::shared_ptr<MmioTransport> transport;
};

}  // namespace cw::devices::virtio::test
