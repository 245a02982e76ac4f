// The host terminal in raw mode while the guest owns the console.
//
// Raw mode is what QEMU's "-serial stdio" and libkrun's console set: no line editing, no
// echo, no CR/NL translation of input, 8-bit bytes, and ISIG off, so Ctrl-C, Ctrl-Z and
// Ctrl-\ reach the guest as bytes (0x03, 0x1a, 0x1c) instead of signalling the VMM. Output
// processing (OPOST/ONLCR) is kept as the user had it, as QEMU does, so host-side
// messages printed with a bare "\n" still start at column 0.
//
// Restoring: the destructor restores the saved settings exactly. Exit paths that skip
// destructors are covered too: the first raw mode registers restore_terminal_now() with
// atexit(), and the VMM's fatal-signal handler should call restore_terminal_now() (it is
// async-signal-safe: an atomic exchange and tcsetattr) before re-raising the signal.
// One terminal at a time is in raw mode through this class.
#pragma once

#include <termios.h>

#include "base/result.h"

namespace cw::devices::virtio {

class TerminalRawMode {
public:
    // Puts `fd` in raw mode when it is a terminal; otherwise an inactive object that does
    // nothing. Fails when tcgetattr/tcsetattr fail or another terminal is already raw.
    [[nodiscard]] static Result<TerminalRawMode> enter(int fd);
    ~TerminalRawMode();
    TerminalRawMode(TerminalRawMode&& other) noexcept;
    TerminalRawMode& operator=(TerminalRawMode&&) = delete;
    TerminalRawMode(const TerminalRawMode&) = delete;
    TerminalRawMode& operator=(const TerminalRawMode&) = delete;

    // Whether `fd` was a terminal and is now raw.
    [[nodiscard]] bool active() const { return m_fd >= 0; }
    // The settings restored at the end.
    [[nodiscard]] const termios& saved() const { return m_saved; }

    // The raw settings derived from `original` (exposed for tests).
    [[nodiscard]] static termios make_raw(const termios& original);

private:
    TerminalRawMode(int fd, const termios& saved) : m_fd(fd), m_saved(saved) {}
    int m_fd = -1;  // -1: inactive
    termios m_saved{};
};

// Restores the terminal that is in raw mode, if any, to its saved settings. Async-signal-
// safe and idempotent; the TerminalRawMode object then restores nothing more.
void restore_terminal_now() noexcept;

}  // namespace cw::devices::virtio
