// Writing device output to a host fd (the VMM's stdout). Header-only so a device that
// uses it links on its own (the fuzz targets build single device sources).
#pragma once

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <span>

namespace cw::devices {

// Writes all of `bytes` to `fd`, retrying partial writes, EINTR and EAGAIN (waiting for
// POLLOUT on a non-blocking fd). Any other error drops the rest: a broken host console
// loses output but never stops the guest. Writing to a pipe with no reader raises SIGPIPE
// unless the process ignores it.
inline void write_all_to_fd(int fd, std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n > 0) {
            bytes = bytes.subspan(static_cast<size_t>(n));
        } else if (n < 0 && errno == EAGAIN) {
            pollfd wait{fd, POLLOUT, 0};
            if (::poll(&wait, 1, -1) < 0 && errno != EINTR)
                return;
        } else if (n == 0 || errno != EINTR) {
            return;
        }
    }
}

}  // namespace cw::devices
