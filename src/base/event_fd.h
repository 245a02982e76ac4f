// An eventfd(2) counter: one thread notifies, another waits on it (epoll) and drains it.
// Used for virtqueue notifications (KVM ioeventfds), interrupts (KVM irqfds) and for
// waking worker threads.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw {

class EventFd {
public:
    // Non-blocking and close-on-exec.
    [[nodiscard]] static Result<EventFd> create() {
        int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0)
            return Error::sys("eventfd");
        return EventFd(UniqueFd(fd));
    }

    [[nodiscard]] int fd() const { return m_fd.get(); }
    // Adds one to the counter. Cannot fail for a valid eventfd short of counter overflow,
    // which needs 2^64 - 1 notifications without a drain; the write is retried on EINTR.
    void notify() const {
        const uint64_t one = 1;
        while (::write(m_fd.get(), &one, sizeof one) < 0 && errno == EINTR) {
        }
    }
    // Reads and clears the counter; 0 when it was already clear.
    uint64_t drain() const {
        uint64_t value = 0;
        if (::read(m_fd.get(), &value, sizeof value) != static_cast<ssize_t>(sizeof value))
            return 0;
        return value;
    }

private:
    explicit EventFd(UniqueFd fd) : m_fd(std::move(fd)) {}
    UniqueFd m_fd;
};

}  // namespace cw
