#include "devices/virtio/console/output_fd.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "devices/virtio/console/console_test_fixture.h"

namespace cw::devices::virtio::test {

namespace {
std::span<const uint8_t> bytes(const std::string& s) {
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
int flags_of(int fd) { return ::fcntl(fd, F_GETFL); }
}  // namespace

TEST_CASE("a pipe is reopened non-blocking without touching the shared description") {
    Pipe pipe;
    const int before = flags_of(pipe.write_end.get());
    auto out = must(OutputFd::open(pipe.write_end.get()));
    CHECK(out.non_blocking());
    CHECK_FALSE(out.changed_shared_flags());
    CHECK(out.fd() != pipe.write_end.get());
    CHECK(flags_of(pipe.write_end.get()) == before);
    CHECK((flags_of(out.fd()) & O_NONBLOCK) != 0);
    CHECK(out.write_some(bytes("via reopen")).written == 10);
    CHECK(pipe.drain() == "via reopen");
}

TEST_CASE("a full pipe would block instead of blocking") {
    Pipe pipe;
    REQUIRE(::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, 4096) >= 0);
    auto out = must(OutputFd::open(pipe.write_end.get()));
    const std::string big(64 * 1024, 'z');
    const auto first = out.write_some(bytes(big));
    CHECK(first.status == OutputFd::Status::kWritten);
    CHECK(first.written < big.size());
    CHECK(out.write_some(bytes(big)).status == OutputFd::Status::kWouldBlock);
}

TEST_CASE("the shared-flag fallback sets O_NONBLOCK and restores the original flags") {
    Pipe pipe;
    const int before = flags_of(pipe.write_end.get());
    {
        auto out = must(OutputFd::open(pipe.write_end.get(), OutputFd::NonBlocking::kSharedFlag));
        CHECK(out.changed_shared_flags());
        CHECK((flags_of(pipe.write_end.get()) & O_NONBLOCK) != 0);
        auto moved = std::move(out);
        CHECK(moved.changed_shared_flags());
    }
    CHECK(flags_of(pipe.write_end.get()) == before);
}

TEST_CASE("a socket is written with send and a widowed one fails without SIGPIPE") {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    UniqueFd mine(fds[0]);
    UniqueFd peer(fds[1]);
    const int before = flags_of(mine.get());
    auto out = must(OutputFd::open(mine.get()));
    CHECK(flags_of(mine.get()) == before);
    CHECK(out.write_some(bytes("sock")).written == 4);
    char buf[8] = {};
    CHECK(::read(peer.get(), buf, sizeof buf) == 4);
    peer.reset();
    const auto failed = out.write_some(bytes("gone"));
    CHECK(failed.status == OutputFd::Status::kFailed);
    CHECK(failed.error == EPIPE);
}

TEST_CASE("a widowed pipe fails with EPIPE and the SIGPIPE is consumed") {
    Pipe pipe;
    auto out = must(OutputFd::open(pipe.write_end.get()));
    pipe.read_end.reset();
    const auto failed = out.write_some(bytes("gone"));
    CHECK(failed.status == OutputFd::Status::kFailed);
    CHECK(failed.error == EPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    REQUIRE(::sigpending(&pending) == 0);
    CHECK(sigismember(&pending, SIGPIPE) == 0);
}

}  // namespace cw::devices::virtio::test
