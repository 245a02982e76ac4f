#include "devices/virtio/console/input_fd.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace cw::devices::virtio {

InputFd::Outcome InputFd::read_some(std::span<uint8_t> into) const {
    pollfd ready{m_fd, POLLIN, 0};
    int polled = 0;
    do {
        polled = ::poll(&ready, 1, 0);
    } while (polled < 0 && errno == EINTR);
    if (polled < 0)
        return {Status::kFailed, 0, errno};
    if ((ready.revents & POLLNVAL) != 0)
        return {Status::kFailed, 0, EBADF};
    // POLLHUP and POLLERR: read() returns at once too (EOF, the buffered rest, or the error).
    if (polled == 0 || (ready.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
        return {Status::kWouldBlock, 0, 0};
    ssize_t n = 0;
    do {
        n = ::read(m_fd, into.data(), into.size());
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        return {Status::kRead, static_cast<size_t>(n), 0};
    if (n == 0)
        return {Status::kEof, 0, 0};
    // Someone else drained it between poll and read (the fd is non-blocking for them).
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return {Status::kWouldBlock, 0, 0};
    return {Status::kFailed, 0, errno};
}

}  // namespace cw::devices::virtio
