// The device end to end: MmioTransport, three mock-driven queues, the real worker thread
// and real host sockets; the test plays Linux's guest driver (virtio_transport_common.c).
#include "devices/virtio/vsock/vsock.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <numeric>

#include "devices/virtio/testing/eventually.h"
#include "devices/virtio/vsock/connection.h"
#include "devices/virtio/vsock/vsock_test_harness.h"

namespace cw::devices::virtio::test {

namespace {

constexpr uint32_t kGuestPort = 5000;
constexpr uint32_t kEchoPort = 1234;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(seed + i * 7 + i / 251);
    return v;
}

std::shared_ptr<Vsock> make_device(VsockConfig config) {
    auto r = Vsock::create(std::move(config));
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    return std::move(r).value();
}

// Guest side of one connection: REQUEST, expect RESPONSE with our credit.
void connect_guest(GuestHarness& g, uint32_t src, uint32_t dst) {
    g.send(g.header(VIRTIO_VSOCK_OP_REQUEST, src, dst));
    const Packet response = g.expect(VIRTIO_VSOCK_OP_RESPONSE);
    CHECK(response.hdr.src_port == dst);
    CHECK(response.hdr.dst_port == src);
    CHECK(response.hdr.buf_alloc == Connection::kBufAlloc);
    CHECK(response.hdr.fwd_cnt == 0);
}

// Sends `data` in 4 KiB RW packets (interleaving reads, as a guest that echoes would) and
// collects `data.size()` bytes of RW payload back; returns the last fwd_cnt seen.
uint32_t echo_through(GuestHarness& g, uint32_t src, uint32_t dst, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> back;
    uint32_t last_fwd = 0;
    size_t sent = 0;
    const auto take = [&](const Packet& p) {
        CHECK(p.hdr.src_port == dst);
        CHECK(p.hdr.dst_port == src);
        CHECK(static_cast<uint32_t>(sent) - p.hdr.fwd_cnt <= Connection::kBufAlloc);  // never over-credits
        last_fwd = p.hdr.fwd_cnt;
        if (p.hdr.op == VIRTIO_VSOCK_OP_RW) {
            back.insert(back.end(), p.payload.begin(), p.payload.end());
            g.guest_fwd_cnt += p.hdr.len;
        } else {
            CHECK(p.hdr.op == VIRTIO_VSOCK_OP_CREDIT_UPDATE);
        }
    };
    while (sent < data.size()) {
        const size_t n = std::min<size_t>(4096, data.size() - sent);
        g.send(g.header(VIRTIO_VSOCK_OP_RW, src, dst, static_cast<uint32_t>(n)), std::span(data).subspan(sent, n));
        sent += n;
        while (auto p = g.recv(std::chrono::milliseconds(0)))
            take(*p);
    }
    while (back.size() < data.size()) {
        auto p = g.recv();
        REQUIRE_MESSAGE(p.has_value(), "echo stalled at " << back.size() << " of " << data.size());
        take(*p);
    }
    CHECK(back == data);
    return last_fwd;
}

// The guest closes its write side; the host echo server then closes: SHUTDOWN SEND, RST.
void close_from_guest(GuestHarness& g, uint32_t src, uint32_t dst) {
    g.send(g.header(VIRTIO_VSOCK_OP_SHUTDOWN, src, dst, 0, VIRTIO_VSOCK_SHUTDOWN_SEND));
    Packet p = g.expect(VIRTIO_VSOCK_OP_SHUTDOWN);
    CHECK(p.hdr.flags == VIRTIO_VSOCK_SHUTDOWN_SEND);
    p = g.expect(VIRTIO_VSOCK_OP_RST);
    CHECK(p.hdr.dst_port == src);
}

}  // namespace

TEST_CASE("a guest connection reaches a host Unix echo server, with data both ways and credit") {
    TempDir dir;
    const std::string path = dir.file("echo.sock");
    EchoServer server(unix_listen(path));
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{kEchoPort, path, "", 0}}, .listeners = {}}));
    g.bring_up();
    connect_guest(g, kGuestPort, kEchoPort);
    const auto data = pattern(300 * 1024, 1);  // more than one buf_alloc: credit updates needed
    const uint32_t fwd = echo_through(g, kGuestPort, kEchoPort, data);
    CHECK(fwd <= data.size());
    // A CREDIT_REQUEST is answered with the exact count of forwarded bytes.
    g.send(g.header(VIRTIO_VSOCK_OP_CREDIT_REQUEST, kGuestPort, kEchoPort));
    const Packet update = g.expect(VIRTIO_VSOCK_OP_CREDIT_UPDATE);
    CHECK(update.hdr.fwd_cnt == data.size());
    close_from_guest(g, kGuestPort, kEchoPort);
    CHECK(server.echoed.load() == data.size());
}

TEST_CASE("a guest connection reaches a TCP server on 127.0.0.1") {
    uint16_t port = 0;
    EchoServer server(tcp_listen(port));
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{80, "", "127.0.0.1", port}}, .listeners = {}}));
    g.bring_up();
    connect_guest(g, kGuestPort, 80);
    echo_through(g, kGuestPort, 80, pattern(64 * 1024 + 17, 9));
    close_from_guest(g, kGuestPort, 80);
}

TEST_CASE("concurrent connections are served side by side") {
    constexpr uint32_t kConnections = 8;
    constexpr size_t kBytes = 32 * 1024;
    TempDir dir;
    const std::string path = dir.file("echo.sock");
    MultiEchoServer server(unix_listen(path), kConnections);
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{kEchoPort, path, "", 0}}, .listeners = {}}));
    g.bring_up();
    for (uint32_t i = 0; i < kConnections; ++i)
        connect_guest(g, 6000 + i, kEchoPort);
    std::map<uint32_t, std::vector<uint8_t>> back;
    const auto take = [&](const Packet& p) {
        REQUIRE(p.hdr.op == VIRTIO_VSOCK_OP_RW);  // no credit updates: well under buf_alloc
        auto& b = back[p.hdr.dst_port];
        b.insert(b.end(), p.payload.begin(), p.payload.end());
    };
    for (size_t off = 0; off < kBytes; off += 4096) {
        for (uint32_t i = 0; i < kConnections; ++i) {
            const auto chunk = pattern(4096, static_cast<uint8_t>(i + off / 4096));
            g.send(g.header(VIRTIO_VSOCK_OP_RW, 6000 + i, kEchoPort, 4096), chunk);
        }
        while (auto p = g.recv(std::chrono::milliseconds(0)))
            take(*p);
    }
    const auto total = [&] {
        size_t n = 0;
        for (const auto& [port, bytes] : back)
            n += bytes.size();
        return n;
    };
    while (total() < kConnections * kBytes) {
        auto p = g.recv();
        REQUIRE_MESSAGE(p.has_value(), "stalled at " << total());
        take(*p);
    }
    for (uint32_t i = 0; i < kConnections; ++i) {
        std::vector<uint8_t> expected;
        for (size_t off = 0; off < kBytes; off += 4096) {
            const auto chunk = pattern(4096, static_cast<uint8_t>(i + off / 4096));
            expected.insert(expected.end(), chunk.begin(), chunk.end());
        }
        CHECK(back[6000 + i] == expected);
    }
    for (uint32_t i = 0; i < kConnections; ++i)
        g.send(g.header(VIRTIO_VSOCK_OP_RST, 6000 + i, kEchoPort));  // closes the host sockets
}

TEST_CASE("the device reads from the host only while the guest has credit") {
    TempDir dir;
    const std::string path = dir.file("echo.sock");
    EchoServer server(unix_listen(path));
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{kEchoPort, path, "", 0}}, .listeners = {}}));
    g.guest_buf_alloc = 1000;
    g.bring_up();
    connect_guest(g, kGuestPort, kEchoPort);
    const auto data = pattern(3000, 3);
    g.send(g.header(VIRTIO_VSOCK_OP_RW, kGuestPort, kEchoPort, 3000), data);
    size_t got = 0;
    while (auto p = g.recv(std::chrono::milliseconds(300))) {
        if (p->hdr.op == VIRTIO_VSOCK_OP_RW)
            got += p->hdr.len;
    }
    CHECK(got == 1000);  // stopped at the guest's buf_alloc
    g.guest_fwd_cnt = 1000;  // the guest consumed it and says so
    g.send(g.header(VIRTIO_VSOCK_OP_CREDIT_UPDATE, kGuestPort, kEchoPort));
    while (got < 2000) {
        auto p = g.recv();
        REQUIRE(p.has_value());
        got += p->hdr.len;
    }
    CHECK(got == 2000);
    CHECK_FALSE(g.recv(std::chrono::milliseconds(200)).has_value());
    g.send(g.header(VIRTIO_VSOCK_OP_RST, kGuestPort, kEchoPort));
}

TEST_CASE("a host client on a listener reaches the guest port, data flows both ways") {
    TempDir dir;
    const std::string path = dir.file("listen.sock");
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {}, .listeners = {{path, 7000}}}));
    g.bring_up();
    const int client = unix_connect(path);
    const Packet request = g.expect(VIRTIO_VSOCK_OP_REQUEST);
    CHECK(request.hdr.dst_port == 7000);
    CHECK(request.hdr.src_port >= 1024);
    CHECK(request.hdr.buf_alloc == Connection::kBufAlloc);
    const uint32_t host_port = request.hdr.src_port;
    g.send(g.header(VIRTIO_VSOCK_OP_RESPONSE, 7000, host_port));

    REQUIRE(::write(client, "ping", 4) == 4);
    Packet p = g.expect(VIRTIO_VSOCK_OP_RW);
    CHECK(std::string(p.payload.begin(), p.payload.end()) == "ping");
    const std::string pong = "pong";
    g.send(g.header(VIRTIO_VSOCK_OP_RW, 7000, host_port, 4), std::span(reinterpret_cast<const uint8_t*>(pong.data()), 4));
    char buf[8] = {};
    REQUIRE(::read(client, buf, sizeof buf) == 4);
    CHECK(std::string(buf, 4) == "pong");

    ::close(client);  // host EOF: SHUTDOWN SEND to the guest
    p = g.expect(VIRTIO_VSOCK_OP_SHUTDOWN);
    CHECK(p.hdr.flags == VIRTIO_VSOCK_SHUTDOWN_SEND);
    g.send(g.header(VIRTIO_VSOCK_OP_SHUTDOWN, 7000, host_port, 0, VIRTIO_VSOCK_SHUTDOWN_MASK));
    g.expect(VIRTIO_VSOCK_OP_RST);
}

TEST_CASE("a host client is closed when the guest refuses with RST") {
    TempDir dir;
    const std::string path = dir.file("listen.sock");
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {}, .listeners = {{path, 7000}}}));
    g.bring_up();
    const int client = unix_connect(path);
    const Packet request = g.expect(VIRTIO_VSOCK_OP_REQUEST);
    g.send(g.header(VIRTIO_VSOCK_OP_RST, 7000, request.hdr.src_port));
    char c = 0;
    CHECK(::read(client, &c, 1) == 0);  // EOF, not the 5 s timeout
    ::close(client);
}

TEST_CASE("guest connections without a reachable target are refused with RST") {
    TempDir dir;
    GuestHarness g(
        make_device({.guest_cid = kGuestCid, .targets = {{9, dir.file("nobody.sock"), "", 0}}, .listeners = {}}));
    g.bring_up();
    g.send(g.header(VIRTIO_VSOCK_OP_REQUEST, kGuestPort, 8));  // no target
    Packet p = g.expect(VIRTIO_VSOCK_OP_RST);
    CHECK(p.hdr.src_port == 8);
    CHECK(p.hdr.dst_port == kGuestPort);
    g.send(g.header(VIRTIO_VSOCK_OP_REQUEST, kGuestPort + 1, 9));  // target not listening
    p = g.expect(VIRTIO_VSOCK_OP_RST);
    CHECK(p.hdr.src_port == 9);
    CHECK(p.hdr.dst_port == kGuestPort + 1);
}

TEST_CASE("a guest that exceeds its credit is reset") {
    TempDir dir;
    const std::string path = dir.file("sink.sock");
    const int sink = unix_listen(path);  // never accepts: nothing is read
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{kEchoPort, path, "", 0}}, .listeners = {}}));
    g.bring_up();
    connect_guest(g, kGuestPort, kEchoPort);
    const auto data = pattern(Connection::kBufAlloc + 1, 5);
    g.send(g.header(VIRTIO_VSOCK_OP_RW, kGuestPort, kEchoPort, static_cast<uint32_t>(data.size())), data);
    const Packet p = g.expect(VIRTIO_VSOCK_OP_RST);
    CHECK(p.hdr.dst_port == kGuestPort);
    ::close(sink);
}

TEST_CASE("bogus guest packets get RST and the device keeps working") {
    TempDir dir;
    const std::string path = dir.file("echo.sock");
    EchoServer server(unix_listen(path));
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {{kEchoPort, path, "", 0}}, .listeners = {}}));
    g.bring_up();
    const auto expect_rst_for = [&](VirtioVsockHdr hdr, std::span<const uint8_t> payload = {}) {
        g.send(hdr, payload);
        const Packet p = g.expect(VIRTIO_VSOCK_OP_RST);
        CHECK(p.hdr.src_port == hdr.dst_port);
        CHECK(p.hdr.dst_port == hdr.src_port);
    };
    VirtioVsockHdr h = g.header(VIRTIO_VSOCK_OP_REQUEST, 1, kEchoPort);
    h.src_cid = 4;
    expect_rst_for(h);
    h = g.header(VIRTIO_VSOCK_OP_REQUEST, 2, kEchoPort);
    h.dst_cid = 7;
    expect_rst_for(h);
    h = g.header(VIRTIO_VSOCK_OP_REQUEST, 3, kEchoPort);
    h.type = 2;
    expect_rst_for(h);
    const std::array<uint8_t, 5> five{1, 2, 3, 4, 5};
    expect_rst_for(g.header(VIRTIO_VSOCK_OP_RW, 4, kEchoPort, 10), five);  // len says 10, 5 bytes follow
    expect_rst_for(g.header(99, 5, kEchoPort));
    expect_rst_for(g.header(VIRTIO_VSOCK_OP_RW, 6, kEchoPort, 5), five);  // no such connection
    expect_rst_for(g.header(VIRTIO_VSOCK_OP_RESPONSE, 7, kEchoPort));
    // Silently dropped: an RST for nothing, a header cut short, an empty chain-less kick.
    g.send(g.header(VIRTIO_VSOCK_OP_RST, 8, kEchoPort));
    const VirtioVsockHdr full = g.header(VIRTIO_VSOCK_OP_REQUEST, 9, kEchoPort);
    g.send_raw(std::as_bytes(std::span(&full, 1)).first(20), {});
    g.kick(kVsockTxQueue);
    CHECK_FALSE(g.recv(std::chrono::milliseconds(100)).has_value());
    // Still serving.
    connect_guest(g, kGuestPort, kEchoPort);
    echo_through(g, kGuestPort, kEchoPort, pattern(100, 2));
    // Data before RESPONSE-time checks: a second REQUEST on a live connection resets it.
    g.send(g.header(VIRTIO_VSOCK_OP_REQUEST, kGuestPort, kEchoPort));
    g.expect(VIRTIO_VSOCK_OP_RST);
    CHECK((g.status() & VIRTIO_CONFIG_S_NEEDS_RESET) == 0);
}

TEST_CASE("a broken tx ring sets DEVICE_NEEDS_RESET") {
    GuestHarness g(make_device({.guest_cid = kGuestCid, .targets = {}, .listeners = {}}));
    g.bring_up();
    g.send_broken_tx_ring();
    CHECK(eventually([&] { return (g.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }));
}

TEST_CASE("reset closes host sockets, keeps listeners, and the device activates again") {
    TempDir dir;
    const std::string echo_path = dir.file("echo.sock");
    const std::string listen_path = dir.file("listen.sock");
    EchoServer first(unix_listen(echo_path));
    {
        GuestHarness g(make_device(
            {.guest_cid = kGuestCid, .targets = {{kEchoPort, echo_path, "", 0}}, .listeners = {{listen_path, 7000}}}));
        g.bring_up();
        connect_guest(g, kGuestPort, kEchoPort);
        echo_through(g, kGuestPort, kEchoPort, pattern(10, 1));
        g.reset_device();
        CHECK(eventually([&] { return first.done.load(); }));  // the host socket was closed
        struct stat st {};
        CHECK(::stat(listen_path.c_str(), &st) == 0);

        EchoServer second(unix_listen(dir.file("echo2.sock")));
        ::unlink(echo_path.c_str());
        REQUIRE(::rename(dir.file("echo2.sock").c_str(), echo_path.c_str()) == 0);
        g.guest_fwd_cnt = 0;
        g.bring_up();
        connect_guest(g, kGuestPort, kEchoPort);
        echo_through(g, kGuestPort, kEchoPort, pattern(5000, 4));
        const int client = unix_connect(listen_path);
        CHECK(g.expect(VIRTIO_VSOCK_OP_REQUEST).hdr.dst_port == 7000);
        ::close(client);
        close_from_guest(g, kGuestPort, kEchoPort);
    }
    struct stat st {};
    CHECK(::stat(listen_path.c_str(), &st) != 0);  // the destructor removed it
}

TEST_CASE("create() refuses bad configurations and a non-socket at a listener path") {
    TempDir dir;
    CHECK_FALSE(Vsock::create({.guest_cid = 2, .targets = {}, .listeners = {}}).ok());
    CHECK_FALSE(
        Vsock::create({.guest_cid = 3, .targets = {{1, "/a", "", 0}, {1, "/b", "", 0}}, .listeners = {}}).ok());
    const std::string file = dir.file("regular");
    (void)std::system(("touch '" + file + "'").c_str());
    auto r = Vsock::create({.guest_cid = 3, .targets = {}, .listeners = {{file, 1}}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("not a socket") != std::string::npos);
    CHECK_FALSE(Vsock::create({.guest_cid = 3, .targets = {{1, "", "no-such-host.invalid", 1}}, .listeners = {}}).ok());
}

TEST_CASE("config space holds the guest CID") {
    auto dev = make_device({.guest_cid = 0x1234, .targets = {}, .listeners = {}});
    std::array<uint8_t, 8> cfg{};
    dev->read_config(0, cfg);
    uint64_t cid = 0;
    std::memcpy(&cid, cfg.data(), 8);
    CHECK(cid == 0x1234);
    CHECK(dev->device_type() == VIRTIO_ID_VSOCK);
    CHECK(dev->queue_max_sizes().size() == 3);
}

}  // namespace cw::devices::virtio::test
