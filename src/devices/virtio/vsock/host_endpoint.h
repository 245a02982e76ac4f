// The host side of vsock connections: where a guest connection goes (HostTarget, resolved
// once when the device is created so the worker never blocks in getaddrinfo) and the Unix
// sockets host clients connect to (UnixListener). All sockets are non-blocking and
// close-on-exec.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "devices/virtio/vsock/vsock_config.h"

namespace cw::devices::virtio {

class HostTarget {
public:
    // Resolves a TCP name (first address getaddrinfo returns) or builds a sockaddr_un.
    [[nodiscard]] static Result<HostTarget> resolve(const VsockHostTarget& target);

    // A non-blocking connect(). `in_progress` tells the caller to wait for EPOLLOUT and
    // then call finish_connect(). An error names the address.
    struct Connecting {
        UniqueFd fd;
        bool in_progress = false;
    };
    [[nodiscard]] Result<Connecting> connect() const;
    // "unix:/path" or "host:port", for log lines.
    [[nodiscard]] const std::string& describe() const { return m_describe; }

private:
    HostTarget() = default;
    sockaddr_storage m_addr{};
    socklen_t m_len = 0;
    std::string m_describe;
};

// Completes a connect() that was in progress: the socket's SO_ERROR as an Error.
[[nodiscard]] Result<void> finish_connect(int fd);

class UnixListener {
public:
    // Removes a stale socket at `path` (only a socket, never another kind of file), binds
    // and listens.
    [[nodiscard]] static Result<UnixListener> bind(const std::string& path);
    UnixListener(UnixListener&& other) noexcept = default;
    UnixListener& operator=(UnixListener&&) = delete;
    // Removes the socket file.
    ~UnixListener();

    [[nodiscard]] int fd() const { return m_fd.get(); }
    [[nodiscard]] const std::string& path() const { return m_path; }
    // A pending client (non-blocking), nullopt when none is waiting.
    [[nodiscard]] Result<std::optional<UniqueFd>> accept() const;

private:
    UnixListener(std::string path, UniqueFd fd) : m_path(std::move(path)), m_fd(std::move(fd)) {}
    std::string m_path;
    UniqueFd m_fd;
};

}  // namespace cw::devices::virtio
