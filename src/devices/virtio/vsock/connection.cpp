#include "devices/virtio/vsock/connection.h"

#include "devices/virtio/vsock/host_endpoint.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace cw::devices::virtio {

namespace {

// Linux's receiver sends a credit update when its free space drops below one maximal
// packet; we do the same, and also once half of the buffer has been forwarded unannounced.
constexpr uint32_t kLowCreditMark = Connection::kMaxPayload;

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

Connection::Connection(ConnKey key, uint64_t guest_cid, UniqueFd host, State state)
    : m_key(key), m_guest_cid(guest_cid), m_host(std::move(host)), m_state(state) {
    if (state == State::RequestSent)
        m_ops |= kOpRequest;
}

void Connection::update_peer_credit(const VirtioVsockHdr& hdr) {
    m_peer_buf_alloc = hdr.buf_alloc;
    m_peer_fwd_cnt = hdr.fwd_cnt;
}

uint32_t Connection::peer_free() const {
    const uint32_t in_flight = m_tx_cnt - m_peer_fwd_cnt;  // wraps like the guest's counters
    return in_flight >= m_peer_buf_alloc ? 0 : m_peer_buf_alloc - in_flight;
}

Result<void> Connection::on_guest_packet(const VirtioVsockHdr& hdr, ChainReader& payload) {
    if (m_state == State::Closing)
        return {};  // our RST is on its way; the guest's late packets change nothing
    switch (hdr.op) {
    case VIRTIO_VSOCK_OP_RESPONSE:
        if (m_state != State::RequestSent)
            return Error::msg("RESPONSE on a connection that is not being set up");
        m_state = State::Established;
        return {};
    case VIRTIO_VSOCK_OP_RW:
        if (m_state != State::Established)
            return Error::msg("data before the connection was established");
        if ((m_guest_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) != 0)
            return Error::msg("data after SHUTDOWN SEND");
        return receive_data(payload, hdr.len);
    case VIRTIO_VSOCK_OP_SHUTDOWN:
        if (m_state != State::Established)
            return Error::msg("SHUTDOWN before the connection was established");
        m_guest_shutdown |= hdr.flags & VIRTIO_VSOCK_SHUTDOWN_MASK;
        return shutdown_host_write_if_done();
    case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
        return {};  // update_peer_credit() already took the new values
    case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
        m_ops |= kOpCreditUpdate;
        return {};
    default:
        return Error::msg("unexpected op " + std::to_string(hdr.op));
    }
}

Result<void> Connection::receive_data(ChainReader& payload, size_t len) {
    if (len > kBufAlloc - m_pending.size())
        return Error::msg("guest sent " + std::to_string(len) + " bytes with " +
                          std::to_string(kBufAlloc - m_pending.size()) + " bytes of credit");
    m_rx_cnt += static_cast<uint32_t>(len);  // len <= kBufAlloc
    // Straight from guest memory to the socket while nothing is queued before these bytes.
    while (m_pending.empty() && payload.remaining() > 0) {
        std::array<iovec, kMaxIov> iov{};
        size_t count = 0;
        size_t bytes = 0;
        while (count < iov.size()) {
            auto slice = CW_TRY(payload.next_slice(payload.remaining()));
            if (slice.empty())
                break;
            // The socket only reads the guest's bytes; iovec has no const member.
            iov[count++] = iovec{const_cast<uint8_t*>(slice.data()), slice.size()};
            bytes += slice.size();
        }
        const size_t sent = CW_TRY(send_to_host(std::span(iov).first(count)));
        after_forwarded(sent);
        if (sent == bytes)
            continue;
        // The socket is full: keep what it did not take, in order.
        size_t skip = sent;
        for (const iovec& v : std::span(iov).first(count)) {
            const size_t take = std::min(skip, v.iov_len);
            skip -= take;
            m_pending.append(std::span(static_cast<const uint8_t*>(v.iov_base) + take, v.iov_len - take));
        }
    }
    while (payload.remaining() > 0) {
        auto slice = CW_TRY(payload.next_slice(payload.remaining()));
        if (slice.empty())
            break;
        m_pending.append(slice);
    }
    return {};
}

Result<size_t> Connection::send_to_host(std::span<const iovec> iov) {
    if (iov.empty())
        return size_t{0};
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(iov.data());  // sendmsg does not write the array
    msg.msg_iovlen = iov.size();
    for (;;) {
        const ssize_t n = ::sendmsg(m_host.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0)
            return static_cast<size_t>(n);
        if (errno == EINTR)
            continue;
        if (would_block(errno))
            return size_t{0};
        return Error::sys("writing to the host socket");
    }
}

void Connection::after_forwarded(size_t n) {
    m_fwd_cnt += static_cast<uint32_t>(n);  // n <= kBufAlloc
    const uint32_t unannounced = m_fwd_cnt - m_fwd_cnt_told;
    const uint32_t guest_view_used = m_rx_cnt - m_fwd_cnt_told;
    const uint32_t guest_view_free = guest_view_used >= kBufAlloc ? 0 : kBufAlloc - guest_view_used;
    if (unannounced > 0 && (unannounced >= kBufAlloc / 2 || guest_view_free < kLowCreditMark))
        m_ops |= kOpCreditUpdate;
}

Result<void> Connection::flush() {
    while (!m_pending.empty()) {
        const auto bytes = m_pending.front();
        const iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
        const size_t sent = CW_TRY(send_to_host(std::span(&iov, 1)));
        if (sent == 0)
            break;
        m_pending.consume(sent);
        after_forwarded(sent);
    }
    return shutdown_host_write_if_done();
}

Result<void> Connection::shutdown_host_write_if_done() {
    if (m_host_write_shut || (m_guest_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) == 0 || !m_pending.empty())
        return {};
    m_host_write_shut = true;
    // ENOTCONN: the host peer is gone already; finished() decides what happens next.
    if (::shutdown(m_host.get(), SHUT_WR) != 0 && errno != ENOTCONN)
        return Error::sys("shutdown(SHUT_WR) of the host socket");
    return {};
}

Result<void> Connection::on_connected() {
    CW_TRY(finish_connect(m_host.get()));
    m_state = State::Established;
    m_ops |= kOpResponse;
    return {};
}

bool Connection::can_send_data() const {
    return m_state == State::Established && m_host_readable && !m_host_eof &&
           (m_guest_shutdown & VIRTIO_VSOCK_SHUTDOWN_RCV) == 0 && peer_free() > 0;
}

std::optional<VirtioVsockHdr> Connection::take_control_packet() {
    const auto take = [this](Op op, uint16_t vsock_op) {
        m_ops &= static_cast<uint8_t>(~op);
        return make_header(vsock_op);
    };
    if ((m_ops & kOpRst) != 0)
        return take(kOpRst, VIRTIO_VSOCK_OP_RST);
    if ((m_ops & kOpRequest) != 0)
        return take(kOpRequest, VIRTIO_VSOCK_OP_REQUEST);
    if ((m_ops & kOpResponse) != 0)
        return take(kOpResponse, VIRTIO_VSOCK_OP_RESPONSE);
    if ((m_ops & kOpCreditUpdate) != 0)
        return take(kOpCreditUpdate, VIRTIO_VSOCK_OP_CREDIT_UPDATE);
    return std::nullopt;
}

Result<std::optional<VirtioVsockHdr>> Connection::read_host(RxPacketWriter& writer) {
    const size_t max = std::min<size_t>({peer_free(), kMaxPayload, writer.payload_room()});
    std::array<iovec, kMaxIov> iov{};
    const size_t count = CW_TRY(writer.payload_iovecs(max, iov));
    if (count == 0)
        return std::optional<VirtioVsockHdr>();
    for (;;) {
        const ssize_t n = ::readv(m_host.get(), iov.data(), static_cast<int>(count));
        if (n > 0) {
            m_tx_cnt += static_cast<uint32_t>(n);  // n <= kMaxPayload
            return std::optional(make_header(VIRTIO_VSOCK_OP_RW, 0, static_cast<uint32_t>(n)));
        }
        if (n == 0) {
            m_host_eof = true;
            return std::optional(make_header(VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_SEND));
        }
        if (errno == EINTR)
            continue;
        if (would_block(errno)) {
            m_host_readable = false;
            return std::optional<VirtioVsockHdr>();
        }
        return Error::sys("reading from the host socket");
    }
}

uint32_t Connection::wanted_events() const {
    if (!m_host.valid())
        return 0;
    switch (m_state) {
    case State::Connecting: return EPOLLOUT;
    case State::RequestSent:
    case State::Closing: return 0;
    case State::Established: break;
    }
    uint32_t events = 0;
    // Readability is re-armed only once a read found the socket empty: while it is known
    // readable, the round-robin decides when to read (level-triggered epoll would spin).
    if (!m_host_readable && !m_host_eof && (m_guest_shutdown & VIRTIO_VSOCK_SHUTDOWN_RCV) == 0)
        events |= EPOLLIN;
    if (!m_pending.empty())
        events |= EPOLLOUT;
    return events;
}

bool Connection::finished() const {
    if (m_state != State::Established)
        return false;
    const bool guest_to_host_done = m_host_write_shut;
    const bool host_to_guest_done = m_host_eof || (m_guest_shutdown & VIRTIO_VSOCK_SHUTDOWN_RCV) != 0;
    return guest_to_host_done && host_to_guest_done;
}

void Connection::reset_with_rst() {
    m_host.reset();
    m_state = State::Closing;
    m_ops = kOpRst;
    m_pending = ByteQueue();
}

VirtioVsockHdr Connection::make_header(uint16_t op, uint32_t flags, uint32_t len) {
    VirtioVsockHdr hdr{};
    hdr.src_cid = VMADDR_CID_HOST;
    hdr.dst_cid = m_guest_cid;
    hdr.src_port = m_key.local_port;
    hdr.dst_port = m_key.peer_port;
    hdr.len = len;
    hdr.type = VIRTIO_VSOCK_TYPE_STREAM;
    hdr.op = op;
    hdr.flags = flags;
    hdr.buf_alloc = kBufAlloc;
    hdr.fwd_cnt = m_fwd_cnt;
    m_fwd_cnt_told = m_fwd_cnt;
    return hdr;
}

}  // namespace cw::devices::virtio
