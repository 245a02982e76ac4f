// virtio-vsock (VIRTIO 1.2, 5.10): stream sockets between the guest and host Unix/TCP
// endpoints, the way libkrun's TSI-less vsock muxer works. Host CID 2; the guest's CID
// comes from the configuration.
//
// Guest connections to host port P go to the VsockHostTarget for P (else RST); host
// clients on a VsockGuestListener's Unix socket become connections to the guest's port.
// Queues: rx = 0, tx = 1, event = 2 (the event queue's buffers are kept, unused: we never
// send TRANSPORT_RESET because we never migrate).
//
// Life cycle: create() validates the configuration, resolves TCP targets and binds the
// listeners (they stay open across resets and are removed by the destructor). activate()
// starts a worker thread (DeviceWorker) that runs a VsockMuxer; reset() joins it and
// closes every connection.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/vsock/host_endpoint.h"
#include "devices/virtio/vsock/log_limiter.h"
#include "devices/virtio/vsock/vsock_config.h"

namespace cw::devices::virtio {

class DeviceWorker;
class VsockMuxer;

class Vsock final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueSize = 256;

    // Validates (guest CID >= 3, no duplicate ports or paths, paths fit sun_path), resolves
    // TCP targets and binds the listeners.
    [[nodiscard]] static Result<std::shared_ptr<Vsock>> create(VsockConfig config);
    ~Vsock() override;
    Vsock(const Vsock&) = delete;
    Vsock& operator=(const Vsock&) = delete;

    [[nodiscard]] uint32_t device_type() const override { return VIRTIO_ID_VSOCK; }
    [[nodiscard]] std::span<const uint16_t> queue_max_sizes() const override { return m_max_sizes; }
    // No feature bits: stream sockets only, which is what a device offering neither
    // VIRTIO_VSOCK_F_STREAM nor F_SEQPACKET means (5.10.3).
    [[nodiscard]] uint64_t device_features() const override { return 0; }
    void ack_features(uint64_t) override {}
    void read_config(uint64_t offset, std::span<uint8_t> data) override;
    void write_config(uint64_t, std::span<const uint8_t>) override {}  // guest_cid is read-only
    [[nodiscard]] Result<void> activate(ActivationContext context) override;
    void reset() override;
    void drain_at_exit(std::chrono::milliseconds limit) override;

    [[nodiscard]] uint64_t guest_cid() const { return m_guest_cid; }

private:
    Vsock(uint64_t guest_cid, std::map<uint32_t, HostTarget> targets,
          std::vector<std::pair<UnixListener, uint32_t>> listeners);
    Result<void> start_worker(ActivationContext& context);

    const std::array<uint16_t, 3> m_max_sizes{kQueueSize, kQueueSize, kQueueSize};
    const uint64_t m_guest_cid;
    const std::map<uint32_t, HostTarget> m_targets;
    const std::vector<std::pair<UnixListener, uint32_t>> m_listeners;  // (socket, guest port)
    LogLimiter m_log;

    // Set while active (activate() and reset() run under the transport's lock).
    std::unique_ptr<DeviceWorker> m_worker;
    std::unique_ptr<VsockMuxer> m_muxer;
    std::optional<Queue> m_event_queue;
};

}  // namespace cw::devices::virtio
