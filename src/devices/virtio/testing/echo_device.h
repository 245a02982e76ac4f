// Test support (unit tests and fuzzers): the smallest complete virtio device. One queue;
// each chain's device-readable bytes are copied into its device-writable buffers (as many
// as fit) and the chain is returned with that length. It runs synchronously on the thread
// that calls process_queue() (the transport's queue notifier in tests), where a real
// device would wake its worker.
//
// Config space (little-endian): le32 chains echoed (read-only), le32 scratch (read-write).
// Feature bit 0 (kFeatureEcho) is offered; nothing else.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/virtio_device.h"

namespace cw::devices::virtio::test {

class EchoDevice final : public VirtioDevice {
public:
    static constexpr uint32_t kDeviceType = 0xffff;  // not a registered virtio device ID
    static constexpr uint16_t kQueueMaxSize = 16;
    static constexpr uint64_t kFeatureEcho = uint64_t{1} << 0;
    static constexpr uint64_t kConfigChains = 0;
    static constexpr uint64_t kConfigScratch = 4;
    static constexpr size_t kConfigSize = 8;
    // Chains handled per process_queue() call: bounds the work when the guest keeps the
    // ring full (it can always kick again).
    static constexpr uint32_t kMaxChainsPerCall = 1024;

    [[nodiscard]] uint32_t device_type() const override { return kDeviceType; }
    [[nodiscard]] std::span<const uint16_t> queue_max_sizes() const override { return m_max_sizes; }
    [[nodiscard]] uint64_t device_features() const override { return kFeatureEcho; }
    void ack_features(uint64_t features) override;
    void read_config(uint64_t offset, std::span<uint8_t> data) override;
    void write_config(uint64_t offset, std::span<const uint8_t> data) override;
    [[nodiscard]] Result<void> activate(ActivationContext context) override;
    void reset() override;

    // Echoes every available chain of queue `index`; signals the driver as it asks.
    void process_queue(uint16_t index);
    // Host-side config change: sets scratch and signals a config change (when active).
    void change_config(uint32_t scratch);

    // Inspection and fault injection for tests.
    [[nodiscard]] uint64_t acked_features() const;
    [[nodiscard]] bool active() const;
    [[nodiscard]] uint32_t chains_echoed() const;
    [[nodiscard]] uint32_t resets() const;
    void fail_next_activation();

private:
    void echo_one(const DescriptorChain& chain);

    const uint16_t m_max_sizes[1] = {kQueueMaxSize};
    mutable std::mutex m_mutex;
    uint64_t m_acked = 0;
    uint32_t m_chains = 0;
    uint32_t m_scratch = 0;
    uint32_t m_resets = 0;
    bool m_fail_activation = false;
    vmm::GuestMemory* m_memory = nullptr;  // set while active
    std::optional<Queue> m_queue;
    std::shared_ptr<VirtioInterrupt> m_interrupt;
};

}  // namespace cw::devices::virtio::test
