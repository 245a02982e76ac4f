#include "devices/virtio/vsock/host_endpoint.h"

#include <netdb.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cw::devices::virtio {

namespace {

sockaddr_un unix_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // validate_vsock_config() checked that the path fits with its NUL.
    std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
    return addr;
}

Result<UniqueFd> make_socket(int family) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::sys("socket");
    return UniqueFd(fd);
}

}  // namespace

Result<HostTarget> HostTarget::resolve(const VsockHostTarget& target) {
    HostTarget t;
    if (!target.unix_path.empty()) {
        const sockaddr_un addr = unix_address(target.unix_path);
        std::memcpy(&t.m_addr, &addr, sizeof addr);
        t.m_len = sizeof addr;
        t.m_describe = "unix:" + target.unix_path;
        return t;
    }
    t.m_describe = target.tcp_host + ":" + std::to_string(target.tcp_port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(target.tcp_host.c_str(), std::to_string(target.tcp_port).c_str(), &hints, &found);
    if (rc != 0)
        return Error::msg("resolving " + t.m_describe + ": " + ::gai_strerror(rc));
    if (found == nullptr || found->ai_addrlen > sizeof t.m_addr) {
        ::freeaddrinfo(found);
        return Error::msg("resolving " + t.m_describe + ": no usable address");
    }
    std::memcpy(&t.m_addr, found->ai_addr, found->ai_addrlen);
    t.m_len = found->ai_addrlen;
    ::freeaddrinfo(found);
    return t;
}

Result<HostTarget::Connecting> HostTarget::connect() const {
    Connecting c{CW_TRY(make_socket(m_addr.ss_family).context("connecting to " + m_describe)), false};
    if (::connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&m_addr), m_len) == 0)
        return c;
    if (errno == EINPROGRESS) {
        c.in_progress = true;
        return c;
    }
    // A Unix socket whose backlog is full says EAGAIN: refused, as far as the guest cares.
    return Error::sys("connecting to " + m_describe);
}

Result<void> finish_connect(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return Error::sys("getsockopt SO_ERROR");
    if (err != 0)
        return Error::sys("connect", err);
    return {};
}

Result<UnixListener> UnixListener::bind(const std::string& path) {
    const auto context = "vsock listener " + path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return Error::msg(context + ": exists and is not a socket");
        if (::unlink(path.c_str()) != 0)
            return Error::sys(context + ": removing the stale socket");
    }
    UniqueFd fd = CW_TRY(make_socket(AF_UNIX).context(context));
    const sockaddr_un addr = unix_address(path);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return Error::sys(context + ": bind");
    UnixListener listener(path, std::move(fd));  // from here on the destructor unlinks
    if (::listen(listener.fd(), SOMAXCONN) != 0)
        return Error::sys(context + ": listen");
    return listener;
}

UnixListener::~UnixListener() {
    if (m_fd.valid())
        ::unlink(m_path.c_str());
}

Result<std::optional<UniqueFd>> UnixListener::accept() const {
    const int fd = ::accept4(m_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        return std::optional<UniqueFd>(UniqueFd(fd));
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
        return std::optional<UniqueFd>();
    return Error::sys("accept on " + m_path);
}

}  // namespace cw::devices::virtio
