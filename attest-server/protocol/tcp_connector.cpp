// tcp_connector (client.h): a non-blocking connect bounded by a timeout, for each address the
// name resolves to in turn. Name resolution itself is getaddrinfo's (not bounded here).
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "protocol/client.h"

namespace cw::attest::protocol {

namespace {

using AddrInfoPtr = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

Result<UniqueFd> connect_one(const addrinfo& ai, std::chrono::milliseconds timeout) {
    UniqueFd fd(socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol));
    if (!fd.valid())
        return Error::sys("socket");
    if (connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            return Error::sys("connect");
        pollfd pfd{fd.get(), POLLOUT, 0};
        int ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
        if (ready < 0)
            return Error::sys("poll");
        if (ready == 0)
            return Error::msg("connect: timed out after " + std::to_string(timeout.count()) + " ms");
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            return Error::sys("getsockopt(SO_ERROR)");
        if (err != 0)
            return Error::sys("connect", err);
    }
    int flags = fcntl(fd.get(), F_GETFL);
    if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        return Error::sys("fcntl(O_NONBLOCK)");
    return fd;
}

}  // namespace

Result<Connector> tcp_connector(std::string host, uint16_t port, std::chrono::milliseconds timeout) {
    if (host.empty())
        return Error::msg("TCP connector: empty host");
    if (port == 0)
        return Error::msg("TCP connector: port 0");
    return Connector([host = std::move(host), port, timeout]() -> Result<UniqueFd> {
        std::string where = host + ":" + std::to_string(port);
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* raw = nullptr;
        int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
        if (rc != 0)
            return Error::msg(where + ": resolving: " + gai_strerror(rc));
        AddrInfoPtr list(raw, &freeaddrinfo);
        Error last = Error::msg(where + ": no address");
        for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
            auto fd = connect_one(*ai, timeout);
            if (fd.ok())
                return fd;
            last = std::move(fd).error().context(where);
        }
        return last;
    });
}

}  // namespace cw::attest::protocol
