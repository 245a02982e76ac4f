// The narrow interface between a virtio device (blk, console, vsock, rng, ...) and its
// transport. The transport (mmio_transport.h) decodes every register and runs the status
// state machine; a device only describes itself, accepts features, serves its config
// space and runs its queues between activate() and reset().
//
// Threading: the transport calls every VirtioDevice method with its register lock held,
// from a vCPU thread (or the thread destroying the transport). A device method must not
// call back into the transport's BusDevice methods. activate() should hand the queues,
// memory and interrupt to the device's worker thread and return; reset() must stop that
// worker (join it) before returning, so that nothing touches the queues, guest memory or
// the interrupt afterwards. The VirtioInterrupt never takes the transport's lock, so a
// worker may signal while the vCPU thread in reset() waits for it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/queue_events.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

// How a device reaches the driver. Implemented by the transport; any thread may call it.
class VirtioInterrupt {
public:
    virtual ~VirtioInterrupt() = default;
    // Used buffer notification: sets InterruptStatus bit 0 and raises the interrupt. Call it
    // when Queue::needs_notification() says so.
    virtual void signal_used_buffer() = 0;
    // The device changed its config space: bumps ConfigGeneration, sets InterruptStatus
    // bit 1 and raises the interrupt.
    virtual void signal_config_change() = 0;
    // The device can no longer run (a queue's pop() failed: the guest broke the ring):
    // sets DEVICE_NEEDS_RESET and raises a configuration change interrupt (4.2.2, 2.1.2).
    // The device stops using its queues until reset().
    virtual void signal_needs_reset(const Error& why) = 0;
};

// What a device gets when the driver sets DRIVER_OK.
struct ActivationContext {
    // Guest RAM; outlives the device's activation.
    vmm::GuestMemory& memory;
    // One entry per queue_max_sizes() entry: the validated queue, or nullopt where the
    // driver did not set QueueReady (a device decides whether it can run without it).
    std::vector<std::optional<Queue>> queues;
    std::shared_ptr<VirtioInterrupt> interrupt;
    // The features the driver accepted (also passed to ack_features()).
    uint64_t features = 0;
    // One eventfd per queue, notified when the driver kicks that queue: what the device's
    // worker waits on. Null only where the transport was built without them (unit tests
    // that drive a device synchronously).
    std::shared_ptr<const QueueEvents> queue_events;
};

class VirtioDevice {
public:
    virtual ~VirtioDevice() = default;

    // The DeviceID register (VIRTIO_ID_*).
    [[nodiscard]] virtual uint32_t device_type() const = 0;
    // QueueNumMax of each queue; the number of entries is the number of queues. Read once
    // when the transport is created: powers of two in 1..32768.
    [[nodiscard]] virtual std::span<const uint16_t> queue_max_sizes() const = 0;
    // Device-specific feature bits (0-23, 50-63; the transport adds the ring and transport
    // bits it implements and ignores other reserved bits a device sets).
    [[nodiscard]] virtual uint64_t device_features() const = 0;
    // The features the driver accepted when it set FEATURES_OK: a subset of what was
    // offered, always with VIRTIO_F_VERSION_1.
    virtual void ack_features(uint64_t features) = 0;
    // Config space accesses at `offset` from its start, any width 1-8 and any offset below
    // 0xf00 (an access may run past the end of the device's config: read_config_bytes()
    // and write_config_bytes() below handle that).
    virtual void read_config(uint64_t offset, std::span<uint8_t> data) = 0;
    virtual void write_config(uint64_t offset, std::span<const uint8_t> data) = 0;
    // DRIVER_OK: start running. An error sets DEVICE_NEEDS_RESET.
    [[nodiscard]] virtual Result<void> activate(ActivationContext context) = 0;
    // The VM has stopped for good (no vCPU runs any more; the VMM is about to exit): a device
    // that holds data on its way to the host (console output, socket bytes) writes it out,
    // waiting at most `limit`. The device is inert afterwards. Default: nothing to do.
    virtual void drain_at_exit(std::chrono::milliseconds /*limit*/) {}
    // The driver wrote 0 to Status (or the transport goes away): stop, forget acked
    // features and queues, return to the initial state. Called whether or not the device
    // was activated.
    virtual void reset() = 0;
};

// Reads [offset, offset + out.size()) of a device's config space `config`; bytes past its
// end read as zero.
inline void read_config_bytes(std::span<const uint8_t> config, uint64_t offset, std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    if (offset >= config.size())
        return;
    const size_t n = std::min(out.size(), config.size() - static_cast<size_t>(offset));
    std::copy_n(config.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
}

// Writes `data` at `offset` into `config`; bytes past its end are dropped.
inline void write_config_bytes(std::span<uint8_t> config, uint64_t offset, std::span<const uint8_t> data) {
    if (offset >= config.size())
        return;
    const size_t n = std::min(data.size(), config.size() - static_cast<size_t>(offset));
    std::copy_n(data.begin(), n, config.begin() + static_cast<std::ptrdiff_t>(offset));
}

}  // namespace cw::devices::virtio
