// Host input (receiveq0) end to end: host fd -> worker -> rx chains -> mock driver.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdio.h>

#include <array>
#include <string>

#include "devices/virtio/console/console_test_fixture.h"

namespace cw::devices::virtio::test {

TEST_CASE("host input from a pipe reaches a receive buffer") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    const std::array chain{f.rx->writable(64)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    in.write("ls -l\n");
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(used.len == 6);
    CHECK(f.text(*f.rx, chain[0], used.len) == "ls -l\n");
}

TEST_CASE("input spreads over a multi-descriptor receive chain") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    in.write("hello");
    const std::array chain{f.rx->writable(2), f.rx->writable(8)};
    f.rx->add_chain(chain);
    f.bring_up();  // buffers made available before DRIVER_OK are used too
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(used.len == 5);
    CHECK(f.text(*f.rx, chain[0], 2) == "he");
    CHECK(f.text(*f.rx, chain[1], 3) == "llo");
}

TEST_CASE("input waits while there are no receive buffers and resumes after a kick") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    in.write("typed early");
    CHECK(f.stays_unused(*f.rx));
    const std::array chain{f.rx->writable(64)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(f.text(*f.rx, chain[0], used.len) == "typed early");
    // And the input is watched again for what comes next.
    const std::array next{f.rx->writable(64)};
    f.rx->add_chain(next);
    f.kick(kConsoleReceiveQueue);
    in.write("later");
    const VirtqUsedElem used_next = f.wait_used(*f.rx);
    CHECK(f.text(*f.rx, next[0], used_next.len) == "later");
}

TEST_CASE("input from a regular file is read until EOF as buffers allow") {
    FILE* file = ::tmpfile();
    REQUIRE(file != nullptr);
    std::string content;
    for (int i = 0; i < 300; ++i)
        content += "line " + std::to_string(i) + "\n";
    REQUIRE(::pwrite(::fileno(file), content.data(), content.size(), 0) == static_cast<ssize_t>(content.size()));
    Pipe out;
    ConsoleFixture f(::fileno(file), out.write_end.get());
    const std::array first{f.rx->writable(1024)};
    f.rx->add_chain(first);
    f.bring_up();
    std::string received;
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(used.len == 1024);
    received += f.text(*f.rx, first[0], used.len);
    CHECK(f.stays_unused(*f.rx));  // no buffers: waits for the next kick
    while (received.size() < content.size()) {
        const std::array more{f.rx->writable(1024)};
        f.rx->add_chain(more);
        f.kick(kConsoleReceiveQueue);
        const VirtqUsedElem got = f.wait_used(*f.rx);
        received += f.text(*f.rx, more[0], got.len);
    }
    CHECK(received == content);
    // EOF: a further buffer stays with the device, unused.
    const std::array after{f.rx->writable(64)};
    f.rx->add_chain(after);
    f.kick(kConsoleReceiveQueue);
    CHECK(f.stays_unused(*f.rx));
    ::fclose(file);
}

TEST_CASE("input from /dev/null is an immediate EOF") {
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(null.valid());
    Pipe out;
    ConsoleFixture f(null.get(), out.write_end.get());
    f.bring_up();
    const std::array chain{f.rx->writable(64)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    CHECK(f.stays_unused(*f.rx));
    // Output still works.
    const std::array text{f.tx->readable("still here\n")};
    f.tx->add_chain(text);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);
    CHECK(out.drain() == "still here\n");
}

TEST_CASE("EOF on the input pipe ends input; buffered bytes still arrive") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    in.write("last words");
    in.write_end.reset();
    const std::array chain{f.rx->writable(64)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(f.text(*f.rx, chain[0], used.len) == "last words");
    const std::array after{f.rx->writable(64)};
    f.rx->add_chain(after);
    f.kick(kConsoleReceiveQueue);
    CHECK(f.stays_unused(*f.rx));
}

TEST_CASE("a receive chain without writable space comes back with len 0") {
    Pipe in;
    Pipe out;
    ConsoleFixture f(in.read_end.get(), out.write_end.get());
    f.bring_up();
    in.write("x");
    const std::array readonly{f.rx->readable("guest bytes")};
    f.rx->add_chain(readonly);
    f.kick(kConsoleReceiveQueue);
    CHECK(f.wait_used(*f.rx).len == 0);
    const std::array chain{f.rx->writable(8)};
    f.rx->add_chain(chain);
    f.kick(kConsoleReceiveQueue);
    const VirtqUsedElem used = f.wait_used(*f.rx);
    CHECK(f.text(*f.rx, chain[0], used.len) == "x");
}

}  // namespace cw::devices::virtio::test
