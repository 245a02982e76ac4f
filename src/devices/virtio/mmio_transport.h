// Virtio over MMIO, version 2 (VIRTIO 1.2, 4.2): one device in one 4 KiB window. The only
// code that decodes virtio registers; it owns the status state machine (3.1), feature
// negotiation, queue set-up, interrupt status/ack and config space forwarding.
//
// Access widths: registers (offsets below 0x100) take only 4-byte accesses at 4-byte
// aligned offsets (4.2.2); any other access reads as zeros and writes are ignored.
// Config space (0x100 up) takes any width 1-8 and is forwarded to the device. Unknown,
// write-only and legacy registers read as zero; writes to read-only ones are ignored.
//
// State machine (Status register): bits are set one step at a time in the order
// ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK; a write that clears bits or skips a step is
// ignored (Linux always writes "current | next bit"). FEATURES_OK sticks only when the
// driver accepted VIRTIO_F_VERSION_1 (driver feature writes are masked to the offered
// bits, so the rest is always a subset). DRIVER_OK validates every ready queue and
// activates the device; an invalid queue or a failed activate() sets DEVICE_NEEDS_RESET
// and raises a config change interrupt, as does a device's signal_needs_reset(). FAILED
// is recorded. Writing 0 resets: the device is reset, queues, features and interrupt
// status are cleared. Driver features may be written only between DRIVER and FEATURES_OK;
// queue registers only while the selected queue is not ready and before DRIVER_OK.
//
// Threading: every vCPU may access the window concurrently; one mutex serialises
// register accesses and the VirtioDevice calls they make (activate, reset, ack_features,
// config space). The interrupt trigger and the queue notifier are called after the
// mutex is released, so they may take any lock and may call back into the transport
// or the device. Interrupt status and NEEDS_RESET are atomics shared with the device's
// worker (mmio_interrupt.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/virtio_device.h"
#include "vmm/bus/bus_device.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

class MmioInterrupt;

class MmioTransport final : public vmm::BusDevice {
public:
    // Raises the device's interrupt line (later: writes the irqfd). Any thread.
    using InterruptTrigger = std::function<void()>;
    // The driver wrote `queue_index` (< number of queues) to QueueNotify while the device
    // is active. With an ioeventfd registered on QueueNotify KVM bypasses this path; the
    // notifier then does what the ioeventfd does (e.g. writes the queue's eventfd).
    using QueueNotifier = std::function<void(uint16_t queue_index)>;

    // Ring and transport features the transport offers on top of the device's.
    static constexpr uint64_t kTransportFeatures =
        feature_bit(VIRTIO_F_VERSION_1) | feature_bit(VIRTIO_F_INDIRECT_DESC) | feature_bit(VIRTIO_F_EVENT_IDX);
    // Features the VMM may add per transport: ACCESS_PLATFORM for SEV/TDX guests, whose
    // drivers then use the DMA API (bounce buffers in shared memory).
    static constexpr uint64_t kPlatformFeatures = feature_bit(VIRTIO_F_ACCESS_PLATFORM);
    // The device-specific feature bits a device may offer (6: bits 0-23 and 50-63).
    static constexpr uint64_t kDeviceFeatureMask = ((uint64_t{1} << 24) - 1) | ~((uint64_t{1} << 50) - 1);

    // Refuses a device without queues or with a QueueNumMax that is not a power of two in
    // 1..32768, platform features other than kPlatformFeatures, and `queue_events` whose
    // size is not the device's queue count. `memory` must outlive the transport.
    // `queue_events` (one eventfd per queue) is handed to the device at activation; a
    // QueueNotify write that reaches the transport notifies the queue's eventfd, then calls
    // `notifier` (either may be absent).
    [[nodiscard]] static Result<std::shared_ptr<MmioTransport>> create(
        std::shared_ptr<VirtioDevice> device, vmm::GuestMemory& memory, InterruptTrigger trigger,
        QueueNotifier notifier, uint64_t platform_features = 0,
        std::shared_ptr<const QueueEvents> queue_events = nullptr);
    // Resets the device (stopping its worker).
    ~MmioTransport() override;
    MmioTransport(const MmioTransport&) = delete;
    MmioTransport& operator=(const MmioTransport&) = delete;

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    // The Status register as the driver reads it (DEVICE_NEEDS_RESET included).
    [[nodiscard]] uint32_t status() const;
    [[nodiscard]] bool device_active() const;
    [[nodiscard]] uint64_t offered_features() const { return m_offered; }
    [[nodiscard]] uint64_t driver_features() const;
    // Why DEVICE_NEEDS_RESET is set (empty when it is not), for the VMM's log.
    [[nodiscard]] std::string needs_reset_reason() const;

private:
    // What a register write asks for once the lock is released.
    struct Effects {
        std::optional<uint16_t> notify;
        bool trigger = false;
    };

    MmioTransport(std::shared_ptr<VirtioDevice> device, vmm::GuestMemory& memory, InterruptTrigger trigger,
                  QueueNotifier notifier, std::shared_ptr<const QueueEvents> queue_events, uint64_t offered,
                  std::vector<uint16_t> max_sizes);

    uint32_t read_register(uint64_t offset) const;
    void write_register(uint64_t offset, uint32_t value, Effects& effects);
    void write_driver_features(uint32_t value);
    void write_queue_register(uint64_t offset, uint32_t value);
    void set_status(uint32_t value, Effects& effects);
    bool accept_features_ok();
    void activate(Effects& effects);
    void reset_locked();
    [[nodiscard]] const QueueConfig* selected_queue() const;

    const std::shared_ptr<VirtioDevice> m_device;
    vmm::GuestMemory& m_memory;
    const std::shared_ptr<MmioInterrupt> m_interrupt;
    const QueueNotifier m_notifier;
    const std::shared_ptr<const QueueEvents> m_queue_events;
    const uint64_t m_offered;

    mutable std::mutex m_mutex;
    uint32_t m_status = 0;  // without DEVICE_NEEDS_RESET (m_interrupt holds that)
    bool m_active = false;
    uint32_t m_device_features_sel = 0;
    uint32_t m_driver_features_sel = 0;
    uint64_t m_driver_features = 0;
    uint32_t m_queue_sel = 0;
    std::vector<QueueConfig> m_queues;
};

}  // namespace cw::devices::virtio
