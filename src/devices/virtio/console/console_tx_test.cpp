// Guest output (transmitq0) end to end: mock driver -> transport -> worker -> host fd.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdio.h>

#include <array>
#include <string>

#include "devices/virtio/console/console_test_fixture.h"

namespace cw::devices::virtio::test {

TEST_CASE("guest output from multi-descriptor and indirect chains reaches the pipe exactly") {
    Pipe out;
    ConsoleFixture f(-1, out.write_end.get());
    f.bring_up();
    const std::array direct{f.tx->readable("hello "), f.tx->readable("from "), f.tx->readable("hvc0\n")};
    f.tx->add_chain(direct);
    const std::array indirect{f.tx->readable("second "), f.tx->readable("line\n")};
    f.tx->add_indirect_chain(indirect);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);
    CHECK(f.wait_used(*f.tx).len == 0);
    CHECK(out.drain() == "hello from hvc0\nsecond line\n");
    CHECK(eventually([&] { return f.interrupts.load() > 0; }));
}

TEST_CASE("a transmit chain's writable buffers are ignored and it comes back with len 0") {
    Pipe out;
    ConsoleFixture f(-1, out.write_end.get());
    f.bring_up();
    const std::array chain{f.tx->readable("abc"), f.tx->writable(16)};
    f.tx->add_chain(chain);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);
    CHECK(out.drain() == "abc");
    CHECK(f.text(*f.tx, chain[1], 16) == std::string(16, '\0'));
}

TEST_CASE("guest output goes to a regular file") {
    FILE* file = ::tmpfile();
    REQUIRE(file != nullptr);
    ConsoleFixture f(-1, ::fileno(file));
    f.bring_up();
    const std::array chain{f.tx->readable("to a log file\n")};
    f.tx->add_chain(chain);
    f.kick(kConsoleTransmitQueue);
    CHECK(f.wait_used(*f.tx).len == 0);
    char buf[64] = {};
    CHECK(::pread(::fileno(file), buf, sizeof buf, 0) == 14);
    CHECK(std::string(buf) == "to a log file\n");
    ::fclose(file);
}

// The guest writes far more than the pipe and the device's FIFO hold while the reader is
// stalled: the device stops taking chains (the guest waits), then everything arrives, in
// order, once the reader drains the pipe.
TEST_CASE("large output into a stalled pipe is held back, then delivered whole and in order") {
    Pipe out;
    REQUIRE(::fcntl(out.write_end.get(), F_SETPIPE_SZ, 4096) >= 0);
    ConsoleFixture f(-1, out.write_end.get());
    f.bring_up();

    constexpr uint32_t kChunk = 4096;
    constexpr size_t kSlots = ConsoleFixture::kSize;
    constexpr size_t kTotal = ConsolePort::kMaxPendingOutput + 256 * 1024;
    std::array<MockDriver::Buffer, kSlots> slots{};
    for (auto& slot : slots)
        slot = f.tx->writable(kChunk);  // carved once, reused; the device only reads them
    const auto byte_at = [](size_t i) { return static_cast<uint8_t>((i * 7 + i / 251) & 0xff); };

    size_t sent = 0;
    size_t returned_chains = 0;
    size_t submitted_chains = 0;
    std::string received;
    const auto submit = [&] {
        const size_t slot = submitted_chains % kSlots;
        std::array<uint8_t, kChunk> bytes{};
        for (size_t i = 0; i < kChunk; ++i)
            bytes[i] = byte_at(sent + i);
        REQUIRE(f.mem.write(slots[slot].addr, std::as_bytes(std::span(bytes))).ok());
        const std::array chain{MockDriver::Buffer{slots[slot].addr, kChunk, false}};
        f.tx->add_chain(chain);
        f.kick(kConsoleTransmitQueue);
        sent += kChunk;
        ++submitted_chains;
    };
    const auto collect = [&] {
        while (auto used = f.tx->next_used()) {
            CHECK(used->len == 0);
            ++returned_chains;
        }
    };

    // Stalled reader: submit until the device stops returning chains.
    while (sent < kTotal) {
        if (submitted_chains - returned_chains < kSlots) {
            submit();
            continue;
        }
        if (!eventually([&] {
                collect();
                return submitted_chains - returned_chains < kSlots;
            }))
            break;
    }
    collect();
    CHECK(sent < kTotal);  // the device held back: the FIFO and the pipe are full
    CHECK(sent >= ConsolePort::kMaxPendingOutput);

    // Slow reader: drain in small steps while submitting the rest.
    while (received.size() < kTotal) {
        received += out.drain();
        collect();
        if (sent < kTotal && submitted_chains - returned_chains < kSlots)
            submit();
        else
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        static const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
    REQUIRE(received.size() == kTotal);
    size_t mismatches = 0;
    for (size_t i = 0; i < kTotal; ++i)
        mismatches += static_cast<uint8_t>(received[i]) != byte_at(i) ? size_t{1} : size_t{0};
    CHECK(mismatches == 0);
    CHECK(eventually([&] {
        collect();
        return returned_chains == submitted_chains;
    }));
}

TEST_CASE("output to a pipe whose reader went away is dropped and chains still come back") {
    Pipe out;
    ConsoleFixture f(-1, out.write_end.get());
    f.bring_up();
    out.read_end.reset();
    for (const char* text : {"lost\n", "lost too\n"}) {
        const std::array chain{f.tx->readable(text)};
        f.tx->add_chain(chain);
        f.kick(kConsoleTransmitQueue);
        CHECK(f.wait_used(*f.tx).len == 0);
    }
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) == 0);
}

}  // namespace cw::devices::virtio::test
