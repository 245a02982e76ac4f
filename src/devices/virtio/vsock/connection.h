// One vsock stream connection between a guest port and a host socket (VIRTIO 1.2, 5.10.6.3
// and Linux's virtio_transport_common.c), on the device's worker thread.
//
// The connection owns the host socket, the credit accounting of both directions and the
// guest bytes the host socket has not taken yet. It never touches a virtqueue: the muxer
// (muxer.h) feeds it guest packets and asks it for the packets to put in rx buffers.
//
// Credit (5.10.6.3.1): we advertise kBufAlloc and count in m_fwd_cnt the guest bytes that
// reached the host socket; what is in between waits in m_pending, so a guest that sends
// more than kBufAlloc - pending has ignored our credit and is reset. In the other direction
// we read from the host socket only while the guest has room:
// peer_buf_alloc - (tx_cnt - peer_fwd_cnt). All counters are free-running u32s.
//
// Shutdown: the guest's SHUTDOWN SEND becomes shutdown(SHUT_WR) once the pending bytes are
// out; host EOF becomes SHUTDOWN SEND to the guest. When both directions are done the
// host socket is closed and an RST tells the guest the connection is gone.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <optional>

#include "base/result.h"
#include "base/unique_fd.h"
#include "devices/virtio/queue/chain_io.h"
#include "devices/virtio/vsock/byte_queue.h"
#include "devices/virtio/vsock/packet.h"
#include "devices/virtio/vsock/vsock_spec.h"

namespace cw::devices::virtio {

// (host port, guest port): a connection's identity on the wire.
struct ConnKey {
    uint32_t local_port;
    uint32_t peer_port;
    // Spelled out: clang's defaulted operator<=> trips -Wzero-as-null-pointer-constant.
    friend bool operator<(const ConnKey& a, const ConnKey& b) {
        return a.local_port != b.local_port ? a.local_port < b.local_port : a.peer_port < b.peer_port;
    }
    friend bool operator==(const ConnKey&, const ConnKey&) = default;
};

class Connection {
public:
    enum class State {
        Connecting,   // guest asked for a host target; our connect() is in progress
        RequestSent,  // a host client arrived on a listener; waiting for the guest's RESPONSE
        Established,
        Closing,      // host socket closed; an RST for the guest is pending
    };
    // Our receive buffer, as advertised to the guest (Linux's default vsock buffer size).
    static constexpr uint32_t kBufAlloc = 256 * 1024;
    // Largest payload we put in one rx packet (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE).
    static constexpr uint32_t kMaxPayload = 64 * 1024;
    // Guest buffers handed to one sendmsg()/readv().
    static constexpr size_t kMaxIov = 64;

    Connection(ConnKey key, uint64_t guest_cid, UniqueFd host, State state);

    [[nodiscard]] ConnKey key() const { return m_key; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] int host_fd() const { return m_host.get(); }

    // --- guest to host ---
    // Every guest packet carries the guest's buffer size and consumed count.
    void update_peer_credit(const VirtioVsockHdr& hdr);
    // Handles RESPONSE, SHUTDOWN, RW, CREDIT_UPDATE and CREDIT_REQUEST for this connection;
    // `payload` is positioned after the header with exactly hdr.len bytes left. An error is
    // a protocol violation or a host socket failure: the caller resets the connection.
    [[nodiscard]] Result<void> on_guest_packet(const VirtioVsockHdr& hdr, ChainReader& payload);
    // The host socket is writable: sends pending bytes.
    [[nodiscard]] Result<void> flush();
    // Our connect() finished: Established with a RESPONSE pending, or the error.
    [[nodiscard]] Result<void> on_connected();

    // --- host to guest ---
    // The host socket reported readability (or hang-up/error, which a read reveals).
    void set_host_readable() { m_host_readable = true; }
    // Whether there is a packet to put in an rx buffer now.
    [[nodiscard]] bool has_rx_work() const { return m_ops != 0 || can_send_data(); }
    // The next control packet (RST, REQUEST, RESPONSE, CREDIT_UPDATE), if one is pending.
    [[nodiscard]] std::optional<VirtioVsockHdr> take_control_packet();
    // Reads host bytes into `writer`'s payload: the header to finish the packet with (RW,
    // or SHUTDOWN at host EOF), or nullopt when the host socket had nothing after all. A
    // host read error is returned; the caller resets the connection.
    [[nodiscard]] Result<std::optional<VirtioVsockHdr>> read_host(RxPacketWriter& writer);

    // --- life cycle ---
    // The epoll events the host socket should be watched for now (0: not watched).
    [[nodiscard]] uint32_t wanted_events() const;
    // Both directions are done (the caller then resets it, which frees it).
    [[nodiscard]] bool finished() const;
    // Closes the host socket and leaves only an RST to send (the caller must stop watching
    // the socket first).
    void reset_with_rst();
    // The guest reset it: closes the host socket, nothing to send.
    void close_host() { m_host.reset(); }
    // The header of a packet from us to the guest; records the fwd_cnt it tells.
    [[nodiscard]] VirtioVsockHdr make_header(uint16_t op, uint32_t flags = 0, uint32_t len = 0);

    // Inspection (tests).
    [[nodiscard]] size_t pending_bytes() const { return m_pending.size(); }
    [[nodiscard]] uint32_t peer_free() const;
    [[nodiscard]] uint32_t fwd_cnt() const { return m_fwd_cnt; }

    // The events the worker currently watches (bookkeeping for the muxer).
    uint32_t watched_events = 0;
    // Whether the connection sits in the muxer's round-robin list.
    bool in_ready_list = false;

private:
    enum Op : uint8_t { kOpRst = 1, kOpRequest = 2, kOpResponse = 4, kOpCreditUpdate = 8 };

    [[nodiscard]] bool can_send_data() const;
    [[nodiscard]] Result<void> receive_data(ChainReader& payload, size_t len);
    [[nodiscard]] Result<size_t> send_to_host(std::span<const iovec> iov);
    void after_forwarded(size_t n);
    [[nodiscard]] Result<void> shutdown_host_write_if_done();

    const ConnKey m_key;
    const uint64_t m_guest_cid;
    UniqueFd m_host;
    State m_state;
    uint8_t m_ops = 0;

    // Guest to host.
    ByteQueue m_pending;
    uint32_t m_rx_cnt = 0;         // guest payload bytes received
    uint32_t m_fwd_cnt = 0;        // of those, bytes the host socket took
    uint32_t m_fwd_cnt_told = 0;   // the fwd_cnt in our last packet to the guest
    uint32_t m_guest_shutdown = 0; // VIRTIO_VSOCK_SHUTDOWN_* the guest sent
    bool m_host_write_shut = false;

    // Host to guest.
    uint32_t m_peer_buf_alloc = 0;
    uint32_t m_peer_fwd_cnt = 0;
    uint32_t m_tx_cnt = 0;  // payload bytes sent to the guest
    bool m_host_readable = false;
    bool m_host_eof = false;  // read() returned 0 and the guest was told
};

}  // namespace cw::devices::virtio
