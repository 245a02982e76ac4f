#include "devices/virtio/console/output_fd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <string>
#include <utility>

namespace cw::devices::virtio {

namespace {

Result<UniqueFd> dup_fd(int fd) {
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return Error::sys("console output: dup fd " + std::to_string(fd));
    return UniqueFd(copy);
}

// A new open file description for the same pipe or terminal, non-blocking.
UniqueFd reopen_non_blocking(int fd) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    return UniqueFd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
}

// SIGPIPE for a write to a widowed pipe goes to the writing thread: keep it pending there
// instead of killing the VMM, and consume it after the EPIPE.
void block_sigpipe_on_this_thread() {
    thread_local bool blocked = false;
    if (blocked)
        return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    blocked = true;
}

void consume_pending_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{};
    while (::sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
    }
}

}  // namespace

Result<OutputFd> OutputFd::open(int fd, NonBlocking how) {
    struct stat st{};
    if (::fstat(fd, &st) != 0)
        return Error::sys("console output: fstat fd " + std::to_string(fd));
    if (S_ISSOCK(st.st_mode))
        return OutputFd(CW_TRY(dup_fd(fd)), Kind::kSocket, -1);
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
        return OutputFd(CW_TRY(dup_fd(fd)), Kind::kBlocking, -1);
    if (how == NonBlocking::kReopen) {
        UniqueFd reopened = reopen_non_blocking(fd);
        if (reopened.valid())
            return OutputFd(std::move(reopened), Kind::kNonBlocking, -1);
    }
    UniqueFd copy = CW_TRY(dup_fd(fd));
    const int flags = ::fcntl(copy.get(), F_GETFL);
    if (flags < 0)
        return Error::sys("console output: F_GETFL");
    if ((flags & O_NONBLOCK) != 0)
        return OutputFd(std::move(copy), Kind::kNonBlocking, -1);
    if (::fcntl(copy.get(), F_SETFL, flags | O_NONBLOCK) != 0)
        return Error::sys("console output: F_SETFL O_NONBLOCK");
    return OutputFd(std::move(copy), Kind::kNonBlocking, flags);
}

OutputFd::OutputFd(OutputFd&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_kind(other.m_kind), m_restore_flags(std::exchange(other.m_restore_flags, -1)) {}

OutputFd::~OutputFd() {
    if (m_restore_flags >= 0 && m_fd.valid())
        (void)::fcntl(m_fd.get(), F_SETFL, m_restore_flags);
}

OutputFd::Outcome OutputFd::write_some(std::span<const uint8_t> bytes) {
    if (bytes.empty())
        return {Status::kWritten, 0, 0};
    block_sigpipe_on_this_thread();
    size_t done = 0;
    while (done < bytes.size()) {
        const auto rest = bytes.subspan(done);
        const ssize_t n = m_kind == Kind::kSocket
                              ? ::send(m_fd.get(), rest.data(), rest.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                              : ::write(m_fd.get(), rest.data(), rest.size());
        if (n > 0) {
            done += static_cast<size_t>(n);
            if (m_kind != Kind::kBlocking)
                break;  // one call; the caller comes back for the rest
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && m_kind != Kind::kBlocking)
            break;
        const int err = n < 0 ? errno : EIO;  // a 0-byte write of a non-empty buffer: give up
        if (err == EPIPE)
            consume_pending_sigpipe();
        if (done > 0)
            return {Status::kWritten, done, 0};  // report the error on the next call
        return {Status::kFailed, 0, err};
    }
    if (done == 0)
        return {Status::kWouldBlock, 0, 0};
    return {Status::kWritten, done, 0};
}

}  // namespace cw::devices::virtio
