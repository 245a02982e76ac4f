// vsock: streams between the guest and the host over virtio-vsock.
//   vsock connect PORT BYTES CONNS   CONNS concurrent connections to host port PORT (CID 2);
//                                    each sends BYTES pseudo-random bytes while reading the
//                                    echo back, and checks the echo's SHA-256
//   vsock serve PORT CONNS           listens on guest port PORT, echoes CONNS connections
//                                    (concurrently) until each peer closes, then exits 0
#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "guest_util.h"

namespace cw::guest_test {

namespace {


std::vector<unsigned char> pseudo_random(size_t n, uint64_t seed) {
    std::vector<unsigned char> out(n);
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<unsigned char>(x);
    }
    return out;
}

bool write_all(int fd, const unsigned char* p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return false;
        p += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

// One client connection; returns an empty string on success, else what went wrong.
std::string echo_client(unsigned port, size_t bytes, unsigned index) {
    int fd = vsock_connect_host(port);
    if (fd < 0)
        return std::string("connect: ") + std::strerror(errno);
    const auto sent = pseudo_random(bytes, index + 1);
    std::atomic<bool> write_ok{true};
    std::thread writer([&] {
        write_ok = write_all(fd, sent.data(), sent.size());
        shutdown(fd, SHUT_WR);
    });
    std::vector<unsigned char> got;
    got.reserve(bytes);
    std::vector<unsigned char> buf(64 * 1024);
    for (;;) {
        ssize_t n = read(fd, buf.data(), buf.size());
        if (n <= 0)
            break;
        got.insert(got.end(), buf.begin(), buf.begin() + n);
    }
    writer.join();
    close(fd);
    if (!write_ok)
        return "write failed";
    if (got.size() != sent.size())
        return "echo has " + std::to_string(got.size()) + " bytes, sent " + std::to_string(sent.size());
    if (sha256_hex(got.data(), got.size()) != sha256_hex(sent.data(), sent.size()))
        return "echo differs from what was sent";
    return "";
}

void echo_peer(int fd) {
    std::vector<unsigned char> buf(64 * 1024);
    for (;;) {
        ssize_t n = read(fd, buf.data(), buf.size());
        if (n <= 0 || !write_all(fd, buf.data(), static_cast<size_t>(n)))
            break;
    }
    shutdown(fd, SHUT_WR);
    close(fd);
}

[[noreturn]] void connect_many(unsigned port, size_t bytes, unsigned conns) {
    std::vector<std::string> errors(conns);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < conns; ++i)
        threads.emplace_back([&, i] { errors[i] = echo_client(port, bytes, i); });
    for (auto& t : threads)
        t.join();
    int failed = 0;
    for (unsigned i = 0; i < conns; ++i) {
        if (!errors[i].empty()) {
            say("vsock: connection %u to host port %u: %s", i, port, errors[i].c_str());
            ++failed;
        }
    }
    say("vsock: %u connections to host port %u, %zu bytes each echoed: %d failed", conns, port, bytes, failed);
    stop_vm(failed == 0 ? 0 : 1);
}

[[noreturn]] void serve(unsigned port, unsigned conns) {
    int listener = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (listener < 0)
        fail("vsock socket");
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = VMADDR_CID_ANY;
    addr.svm_port = port;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 64) != 0)
        fail("vsock bind/listen on port " + std::to_string(port));
    say("vsock: listening on port %u", port);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < conns; ++i) {
        int fd = accept(listener, nullptr, nullptr);
        if (fd < 0)
            fail("vsock accept");
        threads.emplace_back(echo_peer, fd);
    }
    for (auto& t : threads)
        t.join();
    say("vsock: echoed %u connections on port %u", conns, port);
    stop_vm(0);
}

}  // namespace

void check_vsock(int argc, char** argv) {
    if (argc >= 5 && std::strcmp(argv[1], "connect") == 0)
        connect_many(static_cast<unsigned>(std::atoi(argv[2])), std::strtoul(argv[3], nullptr, 10),
                     static_cast<unsigned>(std::atoi(argv[4])));
    if (argc >= 4 && std::strcmp(argv[1], "serve") == 0)
        serve(static_cast<unsigned>(std::atoi(argv[2])), static_cast<unsigned>(std::atoi(argv[3])));
    fail("usage: vsock connect PORT BYTES CONNS | vsock serve PORT CONNS", false);
}

}  // namespace cw::guest_test
