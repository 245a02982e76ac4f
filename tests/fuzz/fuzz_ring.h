// Shared by the fuzz targets that feed a virtqueue from fuzz bytes: two guest RAM regions
// (so buffers can straddle or miss them), the fuzz bytes written from address 0 on, and a
// split ring laid over them whose size and ring features come from the first two bytes.
// Everything the device or queue then reads is the fuzzer's.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_ring.h"
#include "vmm/memory/guest_memory.h"

namespace cw::fuzz {

inline constexpr uint64_t kLowSize = 0x10000;
inline constexpr uint64_t kHighStart = 0x20000;
inline constexpr uint64_t kHighSize = 0x1000;

// A broken invariant is a finding: abort so libFuzzer records the input.
inline void check(bool ok) {
    if (!ok)
        std::abort();
}

inline vmm::GuestMemory& fuzz_memory() {
    static vmm::GuestMemory mem = [] {
        const std::array specs{vmm::RegionSpec{vmm::GuestAddress(0), kLowSize},
                               vmm::RegionSpec{vmm::GuestAddress(kHighStart), kHighSize}};
        auto m = vmm::GuestMemory::create_anonymous(specs);
        check(m.ok());
        return std::move(m).value();
    }();
    return mem;
}

struct FuzzRing {
    devices::virtio::QueueConfig config;
    uint64_t features = 0;  // VERSION_1, plus EVENT_IDX (data[1] bit 0), INDIRECT_DESC (bit 1)
};

// Needs size >= 2. data[0] picks the queue size (1..256), data[1] the ring features; the
// rest fills guest RAM from 0, where the avail ring, descriptor table and used ring lie.
inline FuzzRing lay_out_ring(std::span<const uint8_t> data, uint16_t max_size) {
    namespace virtio = devices::virtio;
    vmm::GuestMemory& mem = fuzz_memory();
    check(mem.fill(vmm::GuestAddress(0), kLowSize, 0).ok() && mem.fill(vmm::GuestAddress(kHighStart), kHighSize, 0).ok());
    const auto bytes = std::as_bytes(data.subspan(2, std::min<size_t>(data.size() - 2, kLowSize)));
    check(mem.write(vmm::GuestAddress(0), bytes).ok());

    FuzzRing ring;
    ring.config.max_size = max_size;
    ring.config.size = static_cast<uint16_t>(1U << (data[0] % 9));
    ring.config.ready = true;
    const uint64_t desc = (virtio::avail_ring_size(ring.config.size, true) + 15) / 16 * 16;
    ring.config.avail_ring = vmm::GuestAddress(0);
    ring.config.desc_table = vmm::GuestAddress(desc);
    ring.config.used_ring = vmm::GuestAddress(desc + virtio::desc_table_size(ring.config.size));
    ring.features = virtio::feature_bit(virtio::VIRTIO_F_VERSION_1);
    if (data[1] & 1)
        ring.features |= virtio::feature_bit(virtio::VIRTIO_F_EVENT_IDX);
    if (data[1] & 2)
        ring.features |= virtio::feature_bit(virtio::VIRTIO_F_INDIRECT_DESC);
    return ring;
}

}  // namespace cw::fuzz
