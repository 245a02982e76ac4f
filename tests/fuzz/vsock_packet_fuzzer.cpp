// libFuzzer target for virtio-vsock (devices/virtio/vsock): the guest owns every tx packet
// and the rx buffers' shapes, so any sequence must leave the device safe, bounded and
// without a hang. The packet parser and the connection state machine run for real on this
// thread (a VsockMuxer whose DeviceWorker is never started), with real sockets on the
// host side: a target Unix listener that the fuzzer accepts from (so connections do get
// established and carry bytes) and a second target that does not exist (refusals).
//
// Input: a sequence of records, each one command byte and its arguments:
//   0 tx packet: u8 shape, u16 payload length, 44 header bytes, payload. Shape bits make
//     the header plausible (guest CID, host CID, STREAM, len = payload, op 1..7, ports
//     from a small set) so deep states are reachable; bits 6-7 split the chain.
//   1 rx buffers: u8 count (<= 16), u8 size class; posts them and runs the rx pump.
//   2 host side: u8 action; accepts pending target connections, writes to, shuts down
//     or closes one of them, then delivers readiness events to every live key.
//   3 a host client connects to the device's listener and is accepted.
// Bounds: 64 records per input, 16 host peers, payloads <= 8 KiB.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/virtio/queue/mock_driver.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/vsock/muxer.h"
#include "devices/virtio/vsock/vsock_spec.h"

namespace {

namespace virtio = cw::devices::virtio;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using virtio::test::MockDriver;

constexpr uint64_t kMemSize = 0x100000;
constexpr uint64_t kGuestCid = 3;
constexpr uint32_t kTargetPort = 80;
constexpr uint32_t kMissingPort = 81;
constexpr size_t kMaxRecords = 64;
constexpr size_t kMaxPeers = 16;
constexpr GuestAddress kTxData{0x80000};

void check(bool ok) {
    if (!ok)
        std::abort();
}

struct NullInterrupt final : virtio::VirtioInterrupt {
    void signal_used_buffer() override {}
    void signal_config_change() override {}
    void signal_needs_reset(const cw::Error&) override { ++resets; }
    int resets = 0;
};

struct Host {
    Host() {
        const char* tmp = std::getenv("TMPDIR");
        std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/vsock-fuzz-XXXXXX";
        check(::mkdtemp(dir.data()) != nullptr);
        target_path = dir + "/target.sock";
        listen_path = dir + "/listen.sock";
        target_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, target_path.c_str(), sizeof addr.sun_path - 1);
        check(::bind(target_listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        check(::listen(target_listener, 64) == 0);
        auto t1 = virtio::HostTarget::resolve({kTargetPort, target_path, "", 0});
        auto t2 = virtio::HostTarget::resolve({kMissingPort, dir + "/missing.sock", "", 0});
        check(t1.ok() && t2.ok());
        targets.emplace(kTargetPort, std::move(t1).value());
        targets.emplace(kMissingPort, std::move(t2).value());
        auto l = virtio::UnixListener::bind(listen_path);
        check(l.ok());
        listener = std::make_unique<virtio::UnixListener>(std::move(l).value());
        const std::array specs{cw::vmm::RegionSpec{GuestAddress(0), kMemSize}};
        auto m = GuestMemory::create_anonymous(specs);
        check(m.ok());
        mem = std::make_unique<GuestMemory>(std::move(m).value());
        dir_path = dir;
    }
    ~Host() {  // at exit: leave no sockets behind
        listener.reset();
        ::close(target_listener);
        ::unlink(target_path.c_str());
        ::rmdir(dir_path.c_str());
    }
    std::string dir_path, target_path, listen_path;
    int target_listener = -1;
    std::map<uint32_t, virtio::HostTarget> targets;
    std::unique_ptr<virtio::UnixListener> listener;
    std::unique_ptr<GuestMemory> mem;
    virtio::LogLimiter log;
};

Host& host() {
    static Host h;
    return h;
}

struct Input {
    const uint8_t* p;
    size_t left;
    uint8_t u8() {
        if (left == 0)
            return 0;
        --left;
        return *p++;
    }
    uint16_t u16() { return static_cast<uint16_t>(u8() | u8() << 8); }
    std::span<const uint8_t> take(size_t n) {
        n = std::min(n, left);
        std::span<const uint8_t> s(p, n);
        p += n;
        left -= n;
        return s;
    }
};

class Session {
public:
    Session()
        : m_rx(*host().mem, GuestAddress(0x1000), 64, GuestAddress(0x10000), 0x60000),
          m_tx(*host().mem, GuestAddress(0x4000), 64, GuestAddress(0x70000), 0x1000) {
        const uint64_t features = virtio::feature_bit(virtio::VIRTIO_F_VERSION_1) |
                                  virtio::feature_bit(virtio::VIRTIO_F_EVENT_IDX);
        auto rx = virtio::Queue::create(m_rx.queue_config(256), *host().mem, features);
        auto tx = virtio::Queue::create(m_tx.queue_config(256), *host().mem, features);
        auto worker = virtio::DeviceWorker::create("vsock-fuzz");
        check(rx.ok() && tx.ok() && worker.ok());
        m_worker = std::move(worker).value();
        m_muxer = std::make_unique<virtio::VsockMuxer>(virtio::VsockMuxer::Params{
            .guest_cid = kGuestCid,
            .memory = *host().mem,
            .rx = std::move(rx).value(),
            .tx = std::move(tx).value(),
            .interrupt = m_interrupt,
            .worker = *m_worker,
            .targets = host().targets,
            .queue_events = nullptr,
            .log = host().log,
        });
    }
    ~Session() {
        m_muxer.reset();
        for (int fd : m_peers)
            ::close(fd);
        for (int fd : m_clients)
            ::close(fd);
        for (;;) {  // whatever is left in the target's backlog
            const int fd = ::accept4(host().target_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                break;
            ::close(fd);
        }
    }

    void tx_packet(Input& in) {
        const uint8_t shape = in.u8();
        const uint16_t len = in.u16() % 8193;
        virtio::VirtioVsockHdr hdr{};
        const auto raw = in.take(sizeof hdr);
        std::memcpy(&hdr, raw.data(), raw.size());
        const auto payload = in.take(len);
        if (shape & 1) {
            hdr.src_cid = kGuestCid;
            hdr.dst_cid = virtio::VMADDR_CID_HOST;
            hdr.type = virtio::VIRTIO_VSOCK_TYPE_STREAM;
        }
        if (shape & 2)
            hdr.len = static_cast<uint32_t>(payload.size());
        if (shape & 4)
            hdr.op = static_cast<uint16_t>(1 + hdr.op % 7);
        if (shape & 8) {
            hdr.dst_port = (hdr.dst_port & 1) ? kTargetPort : kMissingPort;
            hdr.src_port = 1000 + hdr.src_port % 4;
        }
        if (shape & 16)
            hdr.buf_alloc = 4096;
        std::vector<uint8_t> bytes(sizeof hdr + payload.size());
        std::memcpy(bytes.data(), &hdr, sizeof hdr);
        std::memcpy(bytes.data() + sizeof hdr, payload.data(), payload.size());
        check(host().mem->write(kTxData, std::as_bytes(std::span(bytes))).ok());
        // Split points: 0, 1 or 2 cuts (a header may straddle buffers).
        const size_t cut1 = std::min<size_t>(bytes.size(), (shape >> 6) == 0 ? bytes.size() : raw.size() / 2 + 1);
        std::vector<MockDriver::Buffer> buffers;
        if (cut1 > 0)
            buffers.push_back({kTxData, static_cast<uint32_t>(cut1), false});
        if (bytes.size() > cut1)
            buffers.push_back({kTxData.unchecked_add(cut1), static_cast<uint32_t>(bytes.size() - cut1), false});
        if (shape & 32)
            buffers.push_back({GuestAddress(0x70000), 16, true});  // a writable tail: ignored
        if (buffers.empty())
            return;
        m_tx.add_chain(buffers);
        m_muxer->process_tx();
        m_keys.push_back({hdr.dst_port, hdr.src_port});
        if (m_keys.size() > 32)
            m_keys.erase(m_keys.begin());
    }

    void rx_buffers(Input& in) {
        const uint8_t count = static_cast<uint8_t>(in.u8() % 17);
        const uint8_t size_class = in.u8();
        static constexpr std::array<uint32_t, 4> kSizes{20, 44, 60, 44 + 4096};
        for (uint8_t i = 0; i < count && m_rx_posted < 48; ++i) {
            const uint32_t size = kSizes[size_class % kSizes.size()];
            const MockDriver::Buffer b{GuestAddress(0x10000 + uint64_t{m_rx.avail_idx()} % 64 * 0x1100), size, true};
            m_rx.add_chain(std::span(&b, 1));
            ++m_rx_posted;
        }
        m_muxer->process_rx();
        while (auto used = m_rx.next_used()) {
            check(used->len <= 44 + 4096);
            --m_rx_posted;
        }
    }

    void host_side(Input& in) {
        const uint8_t action = in.u8();
        while (m_peers.size() < kMaxPeers) {
            const int fd = ::accept4(host().target_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                break;
            m_peers.push_back(fd);
        }
        if (!m_peers.empty()) {
            const size_t which = (action >> 2) % m_peers.size();
            const int fd = m_peers[which];
            switch (action & 3) {
            case 0: {
                std::array<uint8_t, 3000> junk{};
                junk.fill(action);
                (void)::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                break;
            }
            case 1: {
                std::array<uint8_t, 65536> sink{};
                while (::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT) > 0) {
                }
                break;
            }
            case 2: ::shutdown(fd, SHUT_WR); break;
            case 3:
                ::close(fd);
                m_peers.erase(m_peers.begin() + static_cast<std::ptrdiff_t>(which));
                break;
            }
        }
        const uint32_t events = (action & 0x80) ? (EPOLLIN | EPOLLOUT | EPOLLHUP) : (EPOLLIN | EPOLLOUT);
        for (const auto& key : m_keys)
            m_muxer->on_host_event(key, events);
        for (uint32_t port = 1024; port < 1024 + 4; ++port)
            m_muxer->on_host_event({port, 7000}, events);
    }

    void client_connects() {
        if (m_clients.size() >= 4)
            return;
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, host().listen_path.c_str(), sizeof addr.sun_path - 1);
        (void)::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        (void)::send(fd, "hello", 5, MSG_NOSIGNAL | MSG_DONTWAIT);
        m_clients.push_back(fd);
        m_muxer->accept_clients(*host().listener, 7000);
    }

    [[nodiscard]] size_t connections() const { return m_muxer->connection_count(); }

private:
    MockDriver m_rx;
    MockDriver m_tx;
    std::shared_ptr<NullInterrupt> m_interrupt = std::make_shared<NullInterrupt>();
    std::unique_ptr<virtio::DeviceWorker> m_worker;
    std::unique_ptr<virtio::VsockMuxer> m_muxer;
    std::vector<int> m_peers;
    std::vector<int> m_clients;
    std::vector<virtio::ConnKey> m_keys;
    size_t m_rx_posted = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in{data, size};
    Session session;
    for (size_t r = 0; r < kMaxRecords && in.left > 0; ++r) {
        switch (in.u8() % 4) {
        case 0: session.tx_packet(in); break;
        case 1: session.rx_buffers(in); break;
        case 2: session.host_side(in); break;
        case 3: session.client_connects(); break;
        }
        check(session.connections() <= virtio::VsockMuxer::kMaxConnections);
    }
    return 0;
}
