#include "devices/virtio/vsock/muxer.h"

#include <thread>

#include <sys/epoll.h>

namespace cw::devices::virtio {

VsockMuxer::VsockMuxer(Params p)
    : m_guest_cid(p.guest_cid), m_mem(p.memory), m_rx(std::move(p.rx)), m_tx(std::move(p.tx)),
      m_interrupt(std::move(p.interrupt)), m_worker(p.worker), m_targets(p.targets),
      m_queue_events(std::move(p.queue_events)), m_log(p.log) {}

VsockMuxer::~VsockMuxer() {
    // The worker is stopped (or never started); forget our fds before they close.
    for (auto& [key, conn] : m_connections)
        unwatch(*conn);
}

// --- guest to host ---

void VsockMuxer::process_tx() {
    if (m_broken)
        return;
    size_t handled = 0;
    for (; handled < kMaxTxChainsPerWake; ++handled) {
        auto popped = m_tx.pop(m_mem);
        if (!popped.ok()) {
            fail_queue(std::move(popped).error().context("vsock tx queue"));
            return;
        }
        if (!popped.value())
            break;
        const DescriptorChain chain = std::move(*popped.value());
        handle_tx_chain(chain);
        // Fails only for a head index the queue did not hand out: cannot happen here.
        (void)m_tx.add_used(m_mem, chain.head_index(), 0);
    }
    if (handled == kMaxTxChainsPerWake)
        kick_self(kVsockTxQueue);
    signal_if_needed(m_tx);
    pump_rx();
}

void VsockMuxer::drain_at_exit(std::chrono::steady_clock::time_point deadline) {
    // process_tx() handles a bounded batch per call; the ring holds at most its size.
    for (uint32_t i = 0; i <= m_tx.size() / kMaxTxChainsPerWake + 1 && !m_broken; ++i)
        process_tx();
    for (;;) {
        bool waiting = false;
        for (auto& [key, conn] : m_connections) {
            if (conn->pending_bytes() == 0)
                continue;
            if (!conn->flush().ok())
                continue;  // the peer went away: nothing left to deliver
            waiting = waiting || conn->pending_bytes() > 0;
        }
        if (!waiting || std::chrono::steady_clock::now() >= deadline)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void VsockMuxer::handle_tx_chain(const DescriptorChain& chain) {
    ChainReader reader(m_mem, chain);
    auto header = read_tx_header(reader);
    if (!header.ok())
        return;  // no addresses to answer: dropped
    const VirtioVsockHdr hdr = header.value();
    const ConnKey key{hdr.dst_port, hdr.src_port};
    Connection* conn = find(key);
    if (check_tx_header(hdr, m_guest_cid, reader.remaining()) != PacketFault::None) {
        if (hdr.op == VIRTIO_VSOCK_OP_RST)
            return;
        // A faulty packet on a live connection ends it (the guest closes on our RST).
        if (conn != nullptr && hdr.src_cid == m_guest_cid && hdr.dst_cid == VMADDR_CID_HOST)
            reset_connection(*conn);
        else
            reply_rst(hdr);
        return;
    }
    if (hdr.op == VIRTIO_VSOCK_OP_REQUEST) {
        if (conn != nullptr)
            reset_connection(*conn);  // a second REQUEST for a live connection: both are reset
        else
            open_to_host(hdr);
        return;
    }
    if (conn == nullptr) {
        if (hdr.op != VIRTIO_VSOCK_OP_RST)
            reply_rst(hdr);
        return;
    }
    if (hdr.op == VIRTIO_VSOCK_OP_RST) {
        free_connection(key);
        return;
    }
    conn->update_peer_credit(hdr);
    if (auto r = conn->on_guest_packet(hdr, reader); !r.ok()) {
        reset_connection(*conn);
        return;
    }
    after_change(*conn);
}

void VsockMuxer::open_to_host(const VirtioVsockHdr& request) {
    const std::string who = "guest port " + std::to_string(request.src_port) + " -> host port " +
                            std::to_string(request.dst_port) + ": ";
    if (m_connections.size() >= kMaxConnections) {
        m_log.log(who + "refused: " + std::to_string(kMaxConnections) + " connections open");
        reply_rst(request);
        return;
    }
    auto target = m_targets.find(request.dst_port);
    if (target == m_targets.end()) {
        m_log.log(who + "refused: no forward for this port");
        reply_rst(request);
        return;
    }
    auto connecting = target->second.connect();
    if (!connecting.ok()) {
        m_log.log(who + connecting.error().to_string());
        reply_rst(request);
        return;
    }
    auto conn = std::make_unique<Connection>(ConnKey{request.dst_port, request.src_port}, m_guest_cid,
                                             std::move(connecting.value().fd), Connection::State::Connecting);
    conn->update_peer_credit(request);
    Connection& c = *conn;
    insert(std::move(conn));
    if (!connecting.value().in_progress) {
        if (auto r = c.on_connected(); !r.ok()) {
            m_log.log(who + target->second.describe() + ": " + r.error().to_string());
            reset_connection(c);
            return;
        }
    }
    after_change(c);
}

void VsockMuxer::on_host_event(ConnKey key, uint32_t events) {
    Connection* conn = find(key);
    if (conn == nullptr)
        return;
    if (conn->state() == Connection::State::Connecting) {
        if (auto r = conn->on_connected(); !r.ok()) {
            const auto target = m_targets.find(key.local_port);
            m_log.log("guest port " + std::to_string(key.peer_port) + " -> host port " +
                      std::to_string(key.local_port) + ": " +
                      (target != m_targets.end() ? target->second.describe() + ": " : "") + r.error().to_string());
            reset_connection(*conn);
        } else {
            after_change(*conn);
        }
        pump_rx();
        return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0)
        conn->set_host_readable();
    if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0 && conn->pending_bytes() > 0) {
        if (auto r = conn->flush(); !r.ok()) {
            reset_connection(*conn);
            pump_rx();
            return;
        }
    }
    after_change(*conn);
    pump_rx();
}

void VsockMuxer::accept_clients(const UnixListener& listener, uint32_t guest_port) {
    for (size_t n = 0; n < kMaxAcceptsPerWake; ++n) {
        auto accepted = listener.accept();
        if (!accepted.ok()) {
            m_log.log(accepted.error().to_string());
            break;
        }
        if (!accepted.value())
            break;
        const std::string who = "host client on " + listener.path() + " -> guest port " + std::to_string(guest_port);
        if (m_connections.size() >= kMaxConnections) {
            m_log.log(who + ": refused: " + std::to_string(kMaxConnections) + " connections open");
            continue;  // closes the client
        }
        const auto port = allocate_port();
        if (!port) {
            m_log.log(who + ": refused: no free host port");
            continue;
        }
        auto conn = std::make_unique<Connection>(ConnKey{*port, guest_port}, m_guest_cid,
                                                 std::move(*accepted.value()), Connection::State::RequestSent);
        Connection& c = *conn;
        insert(std::move(conn));
        after_change(c);
    }
    pump_rx();
}

// --- host to guest ---

void VsockMuxer::process_rx() { pump_rx(); }

void VsockMuxer::pump_rx() {
    if (m_broken)
        return;
    size_t n = 0;
    for (; n < kMaxRxPacketsPerWake && has_rx_work(); ++n) {
        std::optional<DescriptorChain> chain = std::move(m_spare_rx);
        m_spare_rx.reset();
        if (!chain) {
            auto popped = m_rx.pop(m_mem);
            if (!popped.ok()) {
                fail_queue(std::move(popped).error().context("vsock rx queue"));
                return;
            }
            if (!popped.value())
                break;  // no buffers: the guest's next rx kick resumes
            chain = std::move(popped.value());
        }
        const auto used = fill_rx_chain(*chain);
        if (!used) {
            m_spare_rx = std::move(chain);
            continue;
        }
        (void)m_rx.add_used(m_mem, chain->head_index(), *used);  // fails only for a foreign head
    }
    if (n == kMaxRxPacketsPerWake && has_rx_work())
        kick_self(kVsockRxQueue);
    signal_if_needed(m_rx);
}

std::optional<uint32_t> VsockMuxer::fill_rx_chain(const DescriptorChain& chain) {
    auto writer = RxPacketWriter::begin(m_mem, chain);
    if (!writer.ok())
        return uint32_t{0};  // too small for a header: given back empty, the driver drops it
    if (!m_orphan_rsts.empty()) {
        const VirtioVsockHdr hdr = m_orphan_rsts.front();
        m_orphan_rsts.pop_front();
        const auto used = writer.value().finish(hdr);
        return used.ok() ? used.value() : 0;
    }
    while (!m_ready.empty()) {
        const ConnKey key = m_ready.front();
        m_ready.pop_front();
        Connection* conn = find(key);
        if (conn == nullptr || !conn->in_ready_list)
            continue;  // freed, or a stale entry
        conn->in_ready_list = false;
        if (!conn->has_rx_work())
            continue;
        return fill_from_connection(*conn, writer.value());
    }
    return std::nullopt;
}

std::optional<uint32_t> VsockMuxer::fill_from_connection(Connection& conn, RxPacketWriter& writer) {
    if (auto control = conn.take_control_packet()) {
        const auto used = writer.finish(*control);
        if (control->op == VIRTIO_VSOCK_OP_RST)
            free_connection(conn.key());
        else
            schedule(conn);
        return used.ok() ? used.value() : 0;
    }
    if (writer.payload_room() == 0) {
        schedule(conn);
        return uint32_t{0};  // a header-only buffer cannot carry data: given back empty
    }
    auto read = conn.read_host(writer);
    if (!read.ok()) {
        reset_connection(conn);
        return std::nullopt;
    }
    if (!read.value()) {
        after_change(conn);  // found empty: watch for EPOLLIN again
        return std::nullopt;
    }
    const auto used = writer.finish(*read.value());
    after_change(conn);
    return used.ok() ? used.value() : 0;
}

// --- connection bookkeeping ---

void VsockMuxer::insert(std::unique_ptr<Connection> conn) {
    const ConnKey key = conn->key();
    ++m_local_port_use[key.local_port];
    m_connections.emplace(key, std::move(conn));
}

Connection* VsockMuxer::find(ConnKey key) {
    auto it = m_connections.find(key);
    return it == m_connections.end() ? nullptr : it->second.get();
}

void VsockMuxer::after_change(Connection& conn) {
    if (conn.finished()) {
        reset_connection(conn);
        return;
    }
    update_watch(conn);
    schedule(conn);
}

void VsockMuxer::schedule(Connection& conn) {
    if (conn.in_ready_list || !conn.has_rx_work())
        return;
    conn.in_ready_list = true;
    m_ready.push_back(conn.key());
}

void VsockMuxer::update_watch(Connection& conn) {
    const uint32_t want = conn.wanted_events();
    if (want == conn.watched_events)
        return;
    if (want == 0) {
        unwatch(conn);
        return;
    }
    const ConnKey key = conn.key();
    auto r = conn.watched_events == 0
                 ? m_worker.add(conn.host_fd(), want, [this, key](uint32_t events) { on_host_event(key, events); })
                 : m_worker.modify(conn.host_fd(), want);
    if (!r.ok()) {
        m_log.log("watching a host socket: " + r.error().to_string());
        reset_connection(conn);
        return;
    }
    conn.watched_events = want;
}

void VsockMuxer::unwatch(Connection& conn) {
    if (conn.watched_events != 0)
        m_worker.remove(conn.host_fd());
    conn.watched_events = 0;
}

void VsockMuxer::reset_connection(Connection& conn) {
    unwatch(conn);
    conn.reset_with_rst();
    schedule(conn);
}

void VsockMuxer::free_connection(ConnKey key) {
    auto it = m_connections.find(key);
    if (it == m_connections.end())
        return;
    unwatch(*it->second);
    m_connections.erase(it);
    auto use = m_local_port_use.find(key.local_port);
    if (use != m_local_port_use.end() && --use->second == 0)
        m_local_port_use.erase(use);
}

std::optional<uint32_t> VsockMuxer::allocate_port() {
    // Each port skipped is in use or a target's: at most that many tries.
    const size_t tries = m_local_port_use.size() + m_targets.size() + 1;
    for (size_t i = 0; i < tries; ++i) {
        const uint32_t port = m_next_port;
        m_next_port = m_next_port >= 0xfffffffe ? kFirstEphemeralPort : m_next_port + 1;
        if (!m_local_port_use.contains(port) && !m_targets.contains(port))
            return port;
    }
    return std::nullopt;
}

// --- queues ---

void VsockMuxer::reply_rst(const VirtioVsockHdr& to) {
    if (m_orphan_rsts.size() >= kMaxOrphanRsts)
        return;  // the guest is flooding us without reading: its connects time out instead
    VirtioVsockHdr rst{};
    rst.src_cid = VMADDR_CID_HOST;
    rst.dst_cid = m_guest_cid;
    rst.src_port = to.dst_port;
    rst.dst_port = to.src_port;
    rst.type = VIRTIO_VSOCK_TYPE_STREAM;
    rst.op = VIRTIO_VSOCK_OP_RST;
    m_orphan_rsts.push_back(rst);
}

void VsockMuxer::fail_queue(Error why) {
    m_broken = true;
    m_interrupt->signal_needs_reset(why);
}

void VsockMuxer::kick_self(uint16_t queue) {
    if (m_queue_events)
        m_queue_events->notify(queue);
}

void VsockMuxer::signal_if_needed(Queue& queue) {
    if (queue.needs_notification(m_mem))
        m_interrupt->signal_used_buffer();
}

}  // namespace cw::devices::virtio
