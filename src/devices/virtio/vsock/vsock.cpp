#include "devices/virtio/vsock/vsock.h"

#include <sys/epoll.h>

#include <cstring>

#include "devices/virtio/vsock/muxer.h"
#include "devices/virtio/worker/device_worker.h"

namespace cw::devices::virtio {

Result<std::shared_ptr<Vsock>> Vsock::create(VsockConfig config) {
    CW_TRY(validate_vsock_config(config));
    std::map<uint32_t, HostTarget> targets;
    for (const auto& t : config.targets)
        targets.emplace(t.port, CW_TRY(HostTarget::resolve(t).context("vsock: target for port " + std::to_string(t.port))));
    std::vector<std::pair<UnixListener, uint32_t>> listeners;
    listeners.reserve(config.listeners.size());
    for (const auto& l : config.listeners)
        listeners.emplace_back(CW_TRY(UnixListener::bind(l.unix_path)), l.guest_port);
    return std::shared_ptr<Vsock>(new Vsock(config.guest_cid, std::move(targets), std::move(listeners)));
}

Vsock::Vsock(uint64_t guest_cid, std::map<uint32_t, HostTarget> targets,
             std::vector<std::pair<UnixListener, uint32_t>> listeners)
    : m_guest_cid(guest_cid), m_targets(std::move(targets)), m_listeners(std::move(listeners)) {}

Vsock::~Vsock() { reset(); }

void Vsock::read_config(uint64_t offset, std::span<uint8_t> data) {
    const VirtioVsockConfig config{m_guest_cid};
    std::array<uint8_t, sizeof config> bytes{};
    std::memcpy(bytes.data(), &config, sizeof config);
    read_config_bytes(bytes, offset, data);
}

Result<void> Vsock::activate(ActivationContext context) {
    if (context.queues.size() != 3 || !context.queues[kVsockRxQueue] || !context.queues[kVsockTxQueue] ||
        !context.queues[kVsockEventQueue])
        return Error::msg("vsock: the rx, tx and event queues must all be ready");
    if (!context.queue_events)
        return Error::msg("vsock: activated without queue eventfds");
    if (auto r = start_worker(context); !r.ok()) {
        reset();
        return r;
    }
    return {};
}

Result<void> Vsock::start_worker(ActivationContext& context) {
    m_worker = CW_TRY(DeviceWorker::create("vsock"));
    m_event_queue = std::move(context.queues[kVsockEventQueue]);
    m_muxer = std::make_unique<VsockMuxer>(VsockMuxer::Params{
        .guest_cid = m_guest_cid,
        .memory = context.memory,
        .rx = std::move(*context.queues[kVsockRxQueue]),
        .tx = std::move(*context.queues[kVsockTxQueue]),
        .interrupt = context.interrupt,
        .worker = *m_worker,
        .targets = m_targets,
        .queue_events = context.queue_events,
        .log = m_log,
    });
    const auto& events = *context.queue_events;
    VsockMuxer& muxer = *m_muxer;
    const EventFd& rx_event = events[kVsockRxQueue];
    const EventFd& tx_event = events[kVsockTxQueue];
    CW_TRY(m_worker->add(rx_event.fd(), EPOLLIN, [&muxer, &rx_event](uint32_t) {
        rx_event.drain();
        muxer.process_rx();
    }).context("vsock: watching the rx queue"));
    CW_TRY(m_worker->add(tx_event.fd(), EPOLLIN, [&muxer, &tx_event](uint32_t) {
        tx_event.drain();
        muxer.process_tx();
    }).context("vsock: watching the tx queue"));
    for (const auto& [listener, guest_port] : m_listeners) {
        const UnixListener* l = &listener;
        const uint32_t port = guest_port;
        CW_TRY(m_worker->add(l->fd(), EPOLLIN, [&muxer, l, port](uint32_t) { muxer.accept_clients(*l, port); })
                   .context("vsock: watching " + l->path()));
    }
    // The driver may have queued packets before DRIVER_OK; the eventfds hold their kicks
    // too, but a first pass costs nothing.
    events.notify(kVsockTxQueue);
    CW_TRY(m_worker->start());
    return {};
}

void Vsock::drain_at_exit(std::chrono::milliseconds limit) {
    if (m_worker)
        m_worker->stop();  // the muxer is this thread's now
    if (m_muxer)
        m_muxer->drain_at_exit(std::chrono::steady_clock::now() + limit);
}

void Vsock::reset() {
    if (m_worker)
        m_worker->stop();
    m_muxer.reset();  // closes every host socket
    m_worker.reset();
    m_event_queue.reset();
}

}  // namespace cw::devices::virtio
