#include "devices/virtio/console/terminal.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <utility>

namespace cw::devices::virtio {

namespace {

// What restore_terminal_now() restores. g_saved is written before g_raw_fd is published
// (release) and only read after g_raw_fd is taken (exchange), so a signal handler sees a
// complete copy.
termios g_saved{};
std::atomic<int> g_raw_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free, "restore_terminal_now must be async-signal-safe");

}  // namespace

termios TerminalRawMode::make_raw(const termios& original) {
    termios raw = original;
    ::cfmakeraw(&raw);       // also clears ISIG: Ctrl-C is a byte for the guest
    raw.c_oflag = original.c_oflag;  // keep output processing (see the header)
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    return raw;
}

Result<TerminalRawMode> TerminalRawMode::enter(int fd) {
    if (::isatty(fd) == 0)
        return TerminalRawMode(-1, termios{});
    termios saved{};
    if (::tcgetattr(fd, &saved) != 0)
        return Error::sys("terminal raw mode: tcgetattr fd " + std::to_string(fd));
    if (g_raw_fd.load() >= 0)
        return Error::msg("terminal raw mode: another terminal is already in raw mode");
    g_saved = saved;
    g_raw_fd.store(fd, std::memory_order_release);
    static const bool registered = std::atexit(restore_terminal_now) == 0;
    (void)registered;
    const termios raw = make_raw(saved);
    if (::tcsetattr(fd, TCSANOW, &raw) != 0) {
        const Error error = Error::sys("terminal raw mode: tcsetattr fd " + std::to_string(fd));
        g_raw_fd.store(-1);
        return error;
    }
    return TerminalRawMode(fd, saved);
}

TerminalRawMode::TerminalRawMode(TerminalRawMode&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_saved(other.m_saved) {}

TerminalRawMode::~TerminalRawMode() {
    if (m_fd < 0)
        return;
    // Restore only if restore_terminal_now() has not done it already (and nobody
    // entered raw mode since).
    int expected = m_fd;
    if (g_raw_fd.compare_exchange_strong(expected, -1))
        (void)::tcsetattr(m_fd, TCSANOW, &m_saved);
}

void restore_terminal_now() noexcept {
    const int fd = g_raw_fd.exchange(-1, std::memory_order_acquire);
    if (fd >= 0)
        (void)::tcsetattr(fd, TCSANOW, &g_saved);
}

}  // namespace cw::devices::virtio
