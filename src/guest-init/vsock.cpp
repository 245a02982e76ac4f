#include "guest-init/vsock.h"

#include <linux/vm_sockets.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace cw::guest {

Result<UniqueFd> vsock_connect_host(uint32_t port, std::chrono::milliseconds timeout) {
    std::string what = "vsock connect to host port " + std::to_string(port);
    UniqueFd fd(socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return Error::sys(what + ": socket");
    // The vsock connect timeout (default 2 s) is a socket option, not a non-blocking connect.
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    setsockopt(fd.get(), AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof tv);
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = kHostCid;
    addr.svm_port = port;
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return Error::sys(what);
    return fd;
}

Result<void> read_exact(int fd, std::span<uint8_t> out, std::chrono::milliseconds timeout) {
    size_t got = 0;
    while (got < out.size()) {
        pollfd p{fd, POLLIN, 0};
        int ready = poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return Error::sys("poll");
        if (ready == 0)
            return Error::msg("timed out after " + std::to_string(got) + " of " + std::to_string(out.size()) + " bytes");
        ssize_t n = read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("read after " + std::to_string(got) + " of " + std::to_string(out.size()) + " bytes");
        if (n == 0)
            return Error::msg("connection closed after " + std::to_string(got) + " of " + std::to_string(out.size()) +
                              " bytes");
        got += static_cast<size_t>(n);
    }
    return {};
}

Result<void> write_all(int fd, std::span<const uint8_t> data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);  // no SIGPIPE
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error::sys("send");
        done += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace cw::guest
