// Shared set-up for the console tests: a Console behind an MmioTransport with real queue
// eventfds and its real worker, two mock drivers (receiveq0, transmitq0) over the queue
// tests' guest memory, and helpers for pipes and bounded waits.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "devices/virtio/console/console.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/queue/queue_test_util.h"
#include "devices/virtio/testing/eventually.h"
#include "devices/virtio/testing/mmio_driver.h"

namespace cw::devices::virtio::test {

struct Pipe {
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read_end = UniqueFd(fds[0]);
        write_end = UniqueFd(fds[1]);
    }
    // Everything readable now (the read end is made non-blocking: the test's own pipe).
    std::string drain() {
        (void)::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) > 0;)
            out.append(buf, static_cast<size_t>(n));
        return out;
    }
    void write(const std::string& text) {
        REQUIRE(::write(write_end.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }
    UniqueFd read_end;
    UniqueFd write_end;
};

struct ConsoleFixture {
    static constexpr uint16_t kSize = 16;
    static constexpr vmm::GuestAddress kRxRing{0x1000};
    static constexpr vmm::GuestAddress kTxRing{0x8000};
    static constexpr vmm::GuestAddress kRxData{0x10000};
    static constexpr vmm::GuestAddress kTxData{0x30000};
    static constexpr uint64_t kAreaSize = 0x20000;
    static constexpr uint64_t kAllFeatures = kRingFeatures | feature_bit(VIRTIO_CONSOLE_F_SIZE);

    ConsoleFixture(int input_fd, int output_fd) {
        console = must(Console::create(input_fd, output_fd));
        transport = must(MmioTransport::create(console, mem, [this] { ++interrupts; }, nullptr, 0, events));
        fresh_drivers();
    }

    // New rings (after a reset the queues restart at index 0).
    void fresh_drivers() {
        rx = std::make_unique<MockDriver>(mem, kRxRing, kSize, kRxData, kAreaSize);
        tx = std::make_unique<MockDriver>(mem, kTxRing, kSize, kTxData, kAreaSize);
    }
    // Linux's probe: negotiate, both queues, DRIVER_OK.
    void bring_up(uint64_t wanted = kAllFeatures) {
        REQUIRE(negotiate(*transport, wanted));
        setup_queue(*transport, kConsoleReceiveQueue, rx->queue_config(Console::kQueueMaxSize));
        setup_queue(*transport, kConsoleTransmitQueue, tx->queue_config(Console::kQueueMaxSize));
        add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
        REQUIRE(console->active());
    }
    void kick(uint16_t queue) { mmio_write32(*transport, VIRTIO_MMIO_QUEUE_NOTIFY, queue); }
    [[nodiscard]] uint32_t status() { return mmio_read32(*transport, VIRTIO_MMIO_STATUS); }

    // The next used element of `driver`, waiting for it (bounded).
    VirtqUsedElem wait_used(MockDriver& driver) {
        std::optional<VirtqUsedElem> used;
        REQUIRE(eventually([&] { return (used = driver.next_used()).has_value(); }));
        return *used;
    }
    // Whether `driver` gets no used element within 50 ms.
    bool stays_unused(MockDriver& driver) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return driver.used_idx() == driver.last_used();
    }
    std::string text(MockDriver& driver, const MockDriver::Buffer& buffer, uint32_t len) {
        const auto bytes = driver.contents(buffer);
        return std::string(bytes.begin(), bytes.begin() + len);
    }

    vmm::GuestMemory mem = make_memory();
    std::unique_ptr<MockDriver> rx;
    std::unique_ptr<MockDriver> tx;
    std::shared_ptr<const QueueEvents> events = std::make_shared<const QueueEvents>(must(QueueEvents::create(2)));
    std::atomic<int> interrupts{0};
    std::shared_ptr<Console> console;
    std::shared_ptr<MmioTransport> transport;
};

}  // namespace cw::devices::virtio::test
