// The console's reads from the host input fd (the VMM's stdin, a pipe, a file).
//
// The fd is borrowed and its flags are left alone: stdin's O_NONBLOCK lives in an open file
// description shared with the parent shell, which must not find its terminal non-blocking
// after the VMM exits. So a read is "poll, then read": poll() with a zero timeout says
// whether a read() can return at once, and only then does the device read. Fds that
// cannot be polled (regular files, /dev/null: epoll refuses them with EPERM and poll()
// reports them always readable) are read directly: their reads never wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cw::devices::virtio {

class InputFd {
public:
    explicit InputFd(int fd) : m_fd(fd) {}

    enum class Status {
        kRead,        // `bytes` (> 0) were read
        kWouldBlock,  // nothing to read now: wait for EPOLLIN
        kEof,         // the writer went away or the file ended: no more input, ever
        kFailed,      // read() failed (`error`), e.g. EIO after a terminal hang-up
    };
    struct Outcome {
        Status status;
        size_t bytes = 0;
        int error = 0;
    };
    // Reads at most into.size() (> 0) bytes without waiting.
    [[nodiscard]] Outcome read_some(std::span<uint8_t> into) const;

    [[nodiscard]] int fd() const { return m_fd; }

private:
    int m_fd;
};

}  // namespace cw::devices::virtio
