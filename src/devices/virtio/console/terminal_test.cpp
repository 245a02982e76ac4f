#include "devices/virtio/console/terminal.h"

#include <doctest/doctest.h>
#include <pty.h>
#include <unistd.h>

#include <cstring>

#include "devices/virtio/console/console_test_fixture.h"

namespace cw::devices::virtio::test {

namespace {

struct PtyPair {
    PtyPair() {
        int m = -1;
        int s = -1;
        REQUIRE(::openpty(&m, &s, nullptr, nullptr, nullptr) == 0);
        master = UniqueFd(m);
        slave = UniqueFd(s);
    }
    termios attrs() const {
        termios t{};
        REQUIRE(::tcgetattr(slave.get(), &t) == 0);
        return t;
    }
    UniqueFd master;
    UniqueFd slave;
};

bool same(const termios& a, const termios& b) {
    return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag && a.c_lflag == b.c_lflag &&
           std::memcmp(a.c_cc, b.c_cc, sizeof a.c_cc) == 0;
}

}  // namespace

TEST_CASE("raw mode on a terminal: no echo, no line editing, no signals, output processing kept") {
    PtyPair pty;
    const termios original = pty.attrs();
    REQUIRE((original.c_lflag & ISIG) != 0);
    {
        auto raw = must(TerminalRawMode::enter(pty.slave.get()));
        CHECK(raw.active());
        const termios now = pty.attrs();
        CHECK((now.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)) == 0);
        CHECK((now.c_iflag & (ICRNL | IXON)) == 0);
        CHECK(now.c_oflag == original.c_oflag);
        CHECK((now.c_cflag & CSIZE) == CS8);
        CHECK(now.c_cc[VMIN] == 1);
        CHECK(now.c_cc[VTIME] == 0);
        CHECK(same(now, TerminalRawMode::make_raw(original)));
    }
    CHECK(same(pty.attrs(), original));
}

TEST_CASE("restore_terminal_now restores at once and the destructor then leaves it alone") {
    PtyPair pty;
    const termios original = pty.attrs();
    auto raw = must(TerminalRawMode::enter(pty.slave.get()));
    restore_terminal_now();
    CHECK(same(pty.attrs(), original));
    // The VMM may change settings afterwards (it no longer owns raw mode).
    termios changed = original;
    changed.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    REQUIRE(::tcsetattr(pty.slave.get(), TCSANOW, &changed) == 0);
    restore_terminal_now();  // idempotent
    { auto gone = std::move(raw); }
    CHECK(same(pty.attrs(), changed));
}

TEST_CASE("raw mode on something that is not a terminal does nothing") {
    Pipe pipe;
    auto raw = must(TerminalRawMode::enter(pipe.read_end.get()));
    CHECK_FALSE(raw.active());
}

TEST_CASE("only one terminal is in raw mode at a time") {
    PtyPair a;
    PtyPair b;
    auto raw = must(TerminalRawMode::enter(a.slave.get()));
    auto second = TerminalRawMode::enter(b.slave.get());
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().message().find("already") != std::string::npos);
}

}  // namespace cw::devices::virtio::test
