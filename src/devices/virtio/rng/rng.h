// virtio-rng (VIRTIO 1.2, 5.4): the guest's /dev/hwrng, fed from the host's getrandom().
// One request queue; each chain's device-writable buffers are filled with random bytes.
// The guest kernel mixes what it reads into its own pool, so an early, entropy-starved
// guest (no RDRAND trusted, no interrupts yet) gets seeded from the host's CSPRNG.
//
// In a confidential guest the host is untrusted: the kernel only credits this source as
// one input among others (and SNP/TDX guests use RDRAND/RDSEED); docs/threat-model.md.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/worker/device_worker.h"

namespace cw::devices::virtio {

class Rng final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueMaxSize = 64;
    // Bytes given per chain at most: bounds the work one guest request makes, and a guest
    // that wants more simply asks again.
    static constexpr uint32_t kMaxBytesPerChain = 64 * 1024;
    // Chains handled per wake-up before the worker yields to its other events.
    static constexpr uint32_t kMaxChainsPerWake = 64;

    [[nodiscard]] static std::shared_ptr<Rng> create() { return std::shared_ptr<Rng>(new Rng()); }
    ~Rng() override;

    [[nodiscard]] uint32_t device_type() const override;
    [[nodiscard]] std::span<const uint16_t> queue_max_sizes() const override { return m_max_sizes; }
    [[nodiscard]] uint64_t device_features() const override { return 0; }
    void ack_features(uint64_t) override {}
    void read_config(uint64_t, std::span<uint8_t> data) override { read_config_bytes({}, 0, data); }
    void write_config(uint64_t, std::span<const uint8_t>) override {}
    [[nodiscard]] Result<void> activate(ActivationContext context) override;
    void reset() override;

private:
    Rng() = default;
    // Worker thread: answers every available chain (bounded), then signals once.
    void process_queue();
    [[nodiscard]] Result<uint32_t> fill(const DescriptorChain& chain);

    const uint16_t m_max_sizes[1] = {kQueueMaxSize};
    std::mutex m_mutex;  // activate/reset against each other (vCPU threads)
    // Owned by the worker while it runs; set before start, cleared after join.
    vmm::GuestMemory* m_memory = nullptr;
    std::optional<Queue> m_queue;
    std::shared_ptr<VirtioInterrupt> m_interrupt;
    std::shared_ptr<const QueueEvents> m_events;
    std::unique_ptr<DeviceWorker> m_worker;
};

}  // namespace cw::devices::virtio
