// The console's handle on the host output fd (the VMM's stdout, a pipe, a socket, a log
// file): writes that never block the device's worker for long, and never change how the
// fd behaves for the other processes that share it, where that can be avoided.
//
// The O_NONBLOCK choice. O_NONBLOCK lives in the open file description, which stdout
// shares with the parent shell and every process in the pipeline; setting it there would
// make their writes fail with EAGAIN (and stays set if the VMM dies). So, by fd type:
//   - socket: a dup, written with send(MSG_DONTWAIT | MSG_NOSIGNAL): per-call non-blocking,
//     no flag changes, no SIGPIPE;
//   - regular file or block device: a dup, written with plain blocking write() (these
//     never wait for a reader, and epoll cannot watch them anyway);
//   - pipe, FIFO, terminal, other character device: a private open file description made
//     by reopening /proc/self/fd/N with O_NONBLOCK, so the flag is ours alone. Where that
//     fails (no /proc, a FIFO's reader gone, permissions), a dup with O_NONBLOCK set on the
//     shared description, and the original flags restored when this object goes away
//     (the device's reset()); the flag then leaks only if the VMM is killed meanwhile.
// A write to a pipe whose reader went away raises SIGPIPE at the writing thread: write_some()
// blocks SIGPIPE on the calling thread (the device's worker) and consumes the pending
// signal after EPIPE, so the device works whatever the VMM's SIGPIPE disposition is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::devices::virtio {

class OutputFd {
public:
    // How a pipe, FIFO or terminal is made non-blocking (see above); kSharedFlag exists
    // for the tests of the fallback.
    enum class NonBlocking { kReopen, kSharedFlag };

    // `fd` is borrowed: it is dup'ed or reopened, never closed.
    [[nodiscard]] static Result<OutputFd> open(int fd, NonBlocking how = NonBlocking::kReopen);
    ~OutputFd();
    OutputFd(OutputFd&& other) noexcept;
    OutputFd& operator=(OutputFd&&) = delete;
    OutputFd(const OutputFd&) = delete;
    OutputFd& operator=(const OutputFd&) = delete;

    enum class Status {
        kWritten,     // `written` bytes (> 0 unless `bytes` was empty) were accepted
        kWouldBlock,  // nothing accepted: wait for EPOLLOUT on fd()
        kFailed,      // the fd is broken (`error` is the errno): drop the output
    };
    struct Outcome {
        Status status;
        size_t written = 0;
        int error = 0;
    };
    // One non-blocking write (a blocking, complete one for regular files).
    [[nodiscard]] Outcome write_some(std::span<const uint8_t> bytes);

    // The fd to watch for EPOLLOUT: a dup or reopen, never the caller's fd number (so the
    // worker can watch it even when the caller's output and input fds are the same).
    [[nodiscard]] int fd() const { return m_fd.get(); }
    // Whether write_some() can return kWouldBlock.
    [[nodiscard]] bool non_blocking() const { return m_kind != Kind::kBlocking; }
    // Whether the original fd's flags were changed (the fallback) and will be restored.
    [[nodiscard]] bool changed_shared_flags() const { return m_restore_flags >= 0; }

private:
    enum class Kind { kSocket, kBlocking, kNonBlocking };
    OutputFd(UniqueFd fd, Kind kind, int restore_flags) : m_fd(std::move(fd)), m_kind(kind), m_restore_flags(restore_flags) {}

    UniqueFd m_fd;
    Kind m_kind;
    int m_restore_flags;  // the shared description's original flags, or -1
};

}  // namespace cw::devices::virtio
