// Test support for the device tests: a Vsock behind an MmioTransport with the three queues
// driven by mock drivers, playing Linux's virtio_transport (guest CID 3), and small host
// servers on threads. Every wait is bounded.
#pragma once

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/queue/queue_test_util.h"
#include "devices/virtio/testing/mmio_driver.h"
#include "devices/virtio/vsock/vsock.h"

namespace cw::devices::virtio::test {

inline constexpr uint64_t kGuestCid = 3;
inline constexpr auto kWait = std::chrono::seconds(5);

struct Packet {
    VirtioVsockHdr hdr{};
    std::vector<uint8_t> payload;
};

// A directory under $TMPDIR for sockets, removed (with its sockets) at the end.
struct TempDir {
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/vsock-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
    [[nodiscard]] std::string file(const std::string& name) const { return path + "/" + name; }
    std::string path;
};

class GuestHarness {
public:
    static constexpr uint16_t kRxBuffers = 32;
    static constexpr uint32_t kRxBufSize = 44 + 4096;  // Linux 6.x: one buffer, header + 4 KiB
    static constexpr vmm::GuestAddress kTxData{0x80000};  // region 1: 448 KiB of tx payloads
    static constexpr uint64_t kTxDataSize = 0x70000;

    explicit GuestHarness(std::shared_ptr<Vsock> device) : m_device(std::move(device)) {
        m_events = std::make_shared<const QueueEvents>(must(QueueEvents::create(3)));
        m_transport = must(MmioTransport::create(m_device, m_mem, [] {}, nullptr, 0, m_events));
    }

    // Linux's probe: features, three queues, DRIVER_OK; then the rx and event buffers.
    void bring_up() {
        m_rx.emplace(m_mem, vmm::GuestAddress(0x1000), 64, vmm::GuestAddress(0x10000), 0x60000);
        m_tx.emplace(m_mem, vmm::GuestAddress(0x4000), 64, vmm::GuestAddress(0x70000), 0x1000);
        m_ev.emplace(m_mem, vmm::GuestAddress(0x7000), 8, vmm::GuestAddress(0x71000), 0x1000);
        REQUIRE(negotiate(*m_transport, kRingFeatures));
        setup_queue(*m_transport, kVsockRxQueue, m_rx->queue_config(Vsock::kQueueSize));
        setup_queue(*m_transport, kVsockTxQueue, m_tx->queue_config(Vsock::kQueueSize));
        setup_queue(*m_transport, kVsockEventQueue, m_ev->queue_config(Vsock::kQueueSize));
        add_status(*m_transport, VIRTIO_CONFIG_S_DRIVER_OK);
        REQUIRE(m_transport->device_active());
        m_rx_slots.clear();
        for (uint16_t i = 0; i < kRxBuffers; ++i) {
            const MockDriver::Buffer b = m_rx->writable(kRxBufSize);
            m_rx_slots[m_rx->add_chain(std::span(&b, 1))] = b;
        }
        const MockDriver::Buffer event = m_ev->writable(sizeof(VirtioVsockEvent));
        m_ev->add_chain(std::span(&event, 1));
        kick(kVsockRxQueue);
        m_tx_next = 0;
    }
    void reset_device() { mmio_write32(*m_transport, VIRTIO_MMIO_STATUS, 0); }
    [[nodiscard]] uint32_t status() { return m_transport->status(); }

    void kick(uint16_t queue) { mmio_write32(*m_transport, VIRTIO_MMIO_QUEUE_NOTIFY, queue); }

    [[nodiscard]] VirtioVsockHdr header(uint16_t op, uint32_t src_port, uint32_t dst_port, uint32_t len = 0,
                                        uint32_t flags = 0) const {
        VirtioVsockHdr h{};
        h.src_cid = kGuestCid;
        h.dst_cid = VMADDR_CID_HOST;
        h.src_port = src_port;
        h.dst_port = dst_port;
        h.len = len;
        h.type = VIRTIO_VSOCK_TYPE_STREAM;
        h.op = op;
        h.flags = flags;
        h.buf_alloc = guest_buf_alloc;
        h.fwd_cnt = guest_fwd_cnt;
        return h;
    }

    // Puts a packet (header buffer, then the payload buffer) on the tx queue, kicks, and
    // waits until the device has returned it. `raw_header` overrides the header bytes.
    void send(const VirtioVsockHdr& hdr, std::span<const uint8_t> payload = {}) {
        send_raw(std::as_bytes(std::span(&hdr, 1)), payload);
    }
    void send_raw(std::span<const std::byte> header_bytes, std::span<const uint8_t> payload) {
        const uint64_t need = header_bytes.size() + payload.size() + 16;
        if (m_tx_next + need > kTxDataSize)
            m_tx_next = 0;  // every earlier packet has been returned (send waits)
        const vmm::GuestAddress hdr_addr = kTxData.unchecked_add(m_tx_next);
        const vmm::GuestAddress payload_addr = hdr_addr.unchecked_add((header_bytes.size() + 7) / 8 * 8);
        m_tx_next += need;
        REQUIRE(m_mem.write(hdr_addr, header_bytes).ok());
        REQUIRE(m_mem.write(payload_addr, std::as_bytes(payload)).ok());
        std::vector<MockDriver::Buffer> buffers{{hdr_addr, static_cast<uint32_t>(header_bytes.size()), false}};
        if (!payload.empty())
            buffers.push_back({payload_addr, static_cast<uint32_t>(payload.size()), false});
        m_tx->add_chain(buffers);
        kick(kVsockTxQueue);
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        while (m_tx->used_idx() != m_tx->avail_idx()) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        while (m_tx->next_used()) {
        }
    }

    // A tx ring entry naming a head past the queue size: pop() fails, the queue breaks.
    void send_broken_tx_ring() {
        m_tx->make_available(200);
        kick(kVsockTxQueue);
    }

    // The next packet the device put in an rx buffer (the buffer is re-posted), or nullopt
    // after `timeout`.
    std::optional<Packet> recv(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (auto used = m_rx->next_used())
                return take(*used);
            if (std::chrono::steady_clock::now() >= deadline)
                return std::nullopt;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }
    Packet expect(uint16_t op) {
        auto p = recv();
        REQUIRE_MESSAGE(p.has_value(), "no packet from the device, expected op " << op);
        CHECK(p->hdr.op == op);
        CHECK(p->hdr.src_cid == VMADDR_CID_HOST);
        CHECK(p->hdr.dst_cid == kGuestCid);
        CHECK(p->hdr.type == VIRTIO_VSOCK_TYPE_STREAM);
        return std::move(*p);
    }

    uint32_t guest_buf_alloc = 1024 * 1024;
    uint32_t guest_fwd_cnt = 0;

private:
    Packet take(const VirtqUsedElem& used) {
        auto slot = m_rx_slots.find(static_cast<uint16_t>(used.id));
        REQUIRE(slot != m_rx_slots.end());
        const MockDriver::Buffer buffer = slot->second;
        m_rx_slots.erase(slot);
        REQUIRE(used.len >= sizeof(VirtioVsockHdr));
        REQUIRE(used.len <= buffer.len);
        const auto bytes = m_rx->contents(buffer);
        Packet p;
        std::memcpy(&p.hdr, bytes.data(), sizeof p.hdr);
        REQUIRE(p.hdr.len == used.len - sizeof p.hdr);
        p.payload.assign(bytes.begin() + sizeof p.hdr, bytes.begin() + used.len);
        m_rx_slots[m_rx->add_chain(std::span(&buffer, 1))] = buffer;
        kick(kVsockRxQueue);
        return p;
    }

    vmm::GuestMemory m_mem = make_memory();
    std::shared_ptr<Vsock> m_device;
    std::shared_ptr<const QueueEvents> m_events;
    std::shared_ptr<MmioTransport> m_transport;
    std::optional<MockDriver> m_rx, m_tx, m_ev;
    std::map<uint16_t, MockDriver::Buffer> m_rx_slots;
    uint64_t m_tx_next = 0;
};

// Blocking helpers for the host side of the tests, with receive timeouts.
inline void set_timeouts(int fd) {
    const timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

inline int unix_listen(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    return fd;
}

inline int unix_connect(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    set_timeouts(fd);
    return fd;
}

// TCP on 127.0.0.1, ephemeral port; returns the fd and stores the port.
inline int tcp_listen(uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
    return fd;
}

// A thread that accepts one client on `listen_fd` (within the timeout), echoes everything
// until EOF and closes. `echoed` counts the bytes; `done` is set at the end.
class EchoServer {
public:
    explicit EchoServer(int listen_fd) : m_listen(listen_fd) {
        m_thread = std::thread([this] { run(); });
    }
    ~EchoServer() {
        m_thread.join();
        ::close(m_listen);
    }
    std::atomic<size_t> echoed{0};
    std::atomic<bool> accepted{false};
    std::atomic<bool> done{false};

private:
    void run() {
        pollfd p{m_listen, POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) {
            done = true;
            return;
        }
        const int fd = ::accept(m_listen, nullptr, nullptr);
        accepted = true;
        set_timeouts(fd);
        std::vector<char> buf(16384);
        for (;;) {
            const ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n <= 0)
                break;
            size_t off = 0;
            while (off < static_cast<size_t>(n)) {
                const ssize_t w = ::write(fd, buf.data() + off, static_cast<size_t>(n) - off);
                if (w <= 0)
                    break;
                off += static_cast<size_t>(w);
            }
            echoed += static_cast<size_t>(n);
        }
        ::close(fd);
        done = true;
    }
    int m_listen;
    std::thread m_thread;
};

// Accepts up to `clients` connections, each echoed on its own thread until EOF.
class MultiEchoServer {
public:
    MultiEchoServer(int listen_fd, size_t clients) : m_listen(listen_fd) {
        m_acceptor = std::thread([this, clients] {
            for (size_t i = 0; i < clients; ++i) {
                pollfd p{m_listen, POLLIN, 0};
                if (::poll(&p, 1, 5000) != 1)
                    return;
                const int fd = ::accept(m_listen, nullptr, nullptr);
                set_timeouts(fd);
                m_workers.emplace_back([fd] {
                    std::vector<char> buf(16384);
                    ssize_t n = 0;
                    while ((n = ::read(fd, buf.data(), buf.size())) > 0)
                        if (::write(fd, buf.data(), static_cast<size_t>(n)) != n)
                            break;
                    ::close(fd);
                });
            }
        });
    }
    ~MultiEchoServer() {
        m_acceptor.join();
        for (auto& t : m_workers)
            t.join();
        ::close(m_listen);
    }

private:
    int m_listen;
    std::thread m_acceptor;
    std::vector<std::thread> m_workers;
};

}  // namespace cw::devices::virtio::test
