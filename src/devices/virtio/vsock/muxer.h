// The engine of a running vsock device, on its worker thread: turns tx packets into
// connection events, host socket events into rx packets, and keeps both bounded.
//
// Guest to host: process_tx() handles up to kMaxTxChainsPerWake chains per wake-up (then
// kicks its own tx eventfd, so other fds get their turn), returning each chain as soon as
// its payload is in a host socket or in the connection's pending bytes.
//
// Host to guest: connections with something to send (a control packet, or host bytes the
// guest has credit for) wait in a round-robin list; pump_rx() gives each one packet per
// turn, up to kMaxRxPacketsPerWake per wake-up. When the rx queue is empty it stops; the
// guest's next rx kick resumes it. Host sockets known to be readable are not watched for
// EPOLLIN, so an rx queue without buffers or a guest without credit costs no CPU.
//
// Hostile guests: a malformed tx chain (the ring itself) breaks the queue and asks for a
// reset; a bad packet gets an RST (never for an RST); answers for packets without a
// connection queue up to kMaxOrphanRsts, beyond which they are dropped.
#pragma once

#include <chrono>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/queue_events.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/vsock/connection.h"
#include "devices/virtio/vsock/host_endpoint.h"
#include "devices/virtio/vsock/log_limiter.h"
#include "devices/virtio/worker/device_worker.h"

namespace cw::devices::virtio {

class VsockMuxer {
public:
    static constexpr size_t kMaxConnections = 1024;
    static constexpr size_t kMaxTxChainsPerWake = 256;
    static constexpr size_t kMaxRxPacketsPerWake = 256;
    static constexpr size_t kMaxOrphanRsts = 1024;
    static constexpr size_t kMaxAcceptsPerWake = 16;
    static constexpr uint32_t kFirstEphemeralPort = 1024;

    struct Params {
        uint64_t guest_cid;
        vmm::GuestMemory& memory;
        Queue rx;
        Queue tx;
        std::shared_ptr<VirtioInterrupt> interrupt;
        DeviceWorker& worker;                         // outlives the muxer
        const std::map<uint32_t, HostTarget>& targets;  // by host port; outlives the muxer
        std::shared_ptr<const QueueEvents> queue_events;  // null: no self-kicks (fuzzer)
        LogLimiter& log;
    };
    explicit VsockMuxer(Params params);
    ~VsockMuxer();
    VsockMuxer(const VsockMuxer&) = delete;
    VsockMuxer& operator=(const VsockMuxer&) = delete;

    // The guest kicked the tx / rx queue (or a self-kick asked to continue).
    void process_tx();
    // The VM has stopped (no vCPU runs, the worker is stopped): takes every packet the guest
    // left on the tx queue and writes the bytes still queued for host sockets, waiting for
    // slow readers until `deadline`. Without it, the last bytes a guest wrote just before it
    // powered off would be lost with the connection.
    void drain_at_exit(std::chrono::steady_clock::time_point deadline);
    void process_rx();
    // A listener has clients waiting: each becomes a REQUEST to `guest_port`.
    void accept_clients(const UnixListener& listener, uint32_t guest_port);

    // The worker saw `events` on connection `key`'s host socket. Public so that a fuzzer
    // can deliver readiness without a worker thread; a stale key or spurious events are
    // harmless (the socket calls say EAGAIN).
    void on_host_event(ConnKey key, uint32_t events);

    [[nodiscard]] size_t connection_count() const { return m_connections.size(); }

private:
    void handle_tx_chain(const DescriptorChain& chain);
    void open_to_host(const VirtioVsockHdr& request);

    void pump_rx();
    [[nodiscard]] bool has_rx_work() const { return !m_orphan_rsts.empty() || !m_ready.empty(); }
    // The packet for one rx chain: the used length, or nullopt to keep the chain for later.
    std::optional<uint32_t> fill_rx_chain(const DescriptorChain& chain);
    std::optional<uint32_t> fill_from_connection(Connection& conn, RxPacketWriter& writer);

    // Connection bookkeeping.
    void insert(std::unique_ptr<Connection> conn);
    Connection* find(ConnKey key);
    void after_change(Connection& conn);
    void schedule(Connection& conn);
    void update_watch(Connection& conn);
    void unwatch(Connection& conn);
    void reset_connection(Connection& conn);
    void free_connection(ConnKey key);
    std::optional<uint32_t> allocate_port();

    void reply_rst(const VirtioVsockHdr& to);
    void fail_queue(Error why);
    void kick_self(uint16_t queue);
    void signal_if_needed(Queue& queue);

    const uint64_t m_guest_cid;
    vmm::GuestMemory& m_mem;
    Queue m_rx;
    Queue m_tx;
    const std::shared_ptr<VirtioInterrupt> m_interrupt;
    DeviceWorker& m_worker;
    const std::map<uint32_t, HostTarget>& m_targets;
    const std::shared_ptr<const QueueEvents> m_queue_events;
    LogLimiter& m_log;

    bool m_broken = false;
    std::map<ConnKey, std::unique_ptr<Connection>> m_connections;
    std::map<uint32_t, uint32_t> m_local_port_use;  // host port -> live connections using it
    uint32_t m_next_port = kFirstEphemeralPort;
    std::deque<ConnKey> m_ready;                     // round-robin of connections with rx work
    std::deque<VirtioVsockHdr> m_orphan_rsts;        // RSTs for packets without a connection
    std::optional<DescriptorChain> m_spare_rx;       // popped but not filled (host had nothing)
};

}  // namespace cw::devices::virtio
