#include "file_io.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/hex.h"

namespace cw::disk {

Result<void> pread_exact(int fd, void* buf, size_t size, uint64_t offset) {
    auto* p = static_cast<uint8_t*>(buf);
    while (size > 0) {
        ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("read at " + hex(offset));
        if (n == 0)
            return Error::msg("file ends early, at " + hex(offset));
        p += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

Result<void> pwrite_all(int fd, const void* buf, size_t size, uint64_t offset) {
    const auto* p = static_cast<const uint8_t*>(buf);
    while (size > 0) {
        ssize_t n = ::pwrite(fd, p, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("write at " + hex(offset));
        if (n == 0)
            return Error::msg("write at " + hex(offset) + " wrote nothing");
        p += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace cw::disk
