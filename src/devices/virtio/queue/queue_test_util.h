// Shared set-up for the virtqueue tests: guest memory of two adjacent regions, a mock
// driver with its rings at kRingBase, and a Queue created from the mock's registers.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "devices/virtio/queue/mock_driver.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio::test {

// [0, 512 KiB) and [512 KiB, 1 MiB): two regions, so a buffer can straddle them.
inline constexpr uint64_t kRegionSize = 0x80000;
inline constexpr uint64_t kRamSize = 2 * kRegionSize;
inline constexpr vmm::GuestAddress kRingBase{0x1000};
inline constexpr vmm::GuestAddress kDataBase{0x10000};
inline constexpr uint64_t kDataSize = 0x40000;
inline constexpr uint16_t kQueueMax = 256;
inline constexpr uint64_t kRingFeatures =
    feature_bit(VIRTIO_F_VERSION_1) | feature_bit(VIRTIO_F_INDIRECT_DESC) | feature_bit(VIRTIO_F_EVENT_IDX);

template <class T>
T must(Result<T> r) {
    if (!r.ok()) {
        std::fprintf(stderr, "unexpected error: %s\n", r.error().to_string().c_str());
        std::abort();
    }
    return std::move(r).value();
}

inline vmm::GuestMemory make_memory() {
    const std::array specs{vmm::RegionSpec{vmm::GuestAddress(0), kRegionSize},
                           vmm::RegionSpec{vmm::GuestAddress(kRegionSize), kRegionSize}};
    return must(vmm::GuestMemory::create_anonymous(specs));
}

struct QueueFixture {
    explicit QueueFixture(uint16_t size = 8, uint64_t features = kRingFeatures)
        : driver(mem, kRingBase, size, kDataBase, kDataSize),
          queue(must(Queue::create(driver.queue_config(kQueueMax), mem, features))) {}

    // The next chain, which must be valid.
    DescriptorChain pop_chain() {
        auto r = queue.pop(mem);
        REQUIRE(r.ok());
        REQUIRE(r.value().has_value());
        return std::move(*r.value());
    }
    // The error the next pop() must return.
    std::string pop_error() {
        auto r = queue.pop(mem);
        REQUIRE_FALSE(r.ok());
        return r.error().message();
    }
    // Pops a chain and gives it back with `len` bytes written.
    void complete_one(uint32_t len = 0) {
        const DescriptorChain chain = pop_chain();
        REQUIRE(queue.add_used(mem, chain.head_index(), len).ok());
    }

    vmm::GuestMemory mem = make_memory();
    MockDriver driver;
    Queue queue;
};

}  // namespace cw::devices::virtio::test
