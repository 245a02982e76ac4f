// ChainReader / ChainWriter: byte cursors across descriptor boundaries.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/virtio/queue/chain_io.h"
#include "devices/virtio/queue/queue_test_util.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

std::string text(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_CASE("ChainReader reads an object split over three buffers") {
    QueueFixture f;
    const Header h{1, 0, 0x1122334455667788};
    const auto* raw = reinterpret_cast<const uint8_t*>(&h);
    f.driver.add_chain(std::array{f.driver.readable(std::span(raw, 3)), f.driver.readable(std::span(raw + 3, 6)),
                                  f.driver.readable(std::span(raw + 9, 7))});
    const DescriptorChain c = f.pop_chain();
    ChainReader r(f.mem, c);
    CHECK(r.remaining() == 16);
    auto got = r.read_obj<Header>();
    REQUIRE(got.ok());
    CHECK(got.value().type == 1);
    CHECK(got.value().sector == 0x1122334455667788);
    CHECK(r.remaining() == 0);
    CHECK(r.consumed() == 16);
}

TEST_CASE("ChainReader refuses to read past the readable part and consumes nothing") {
    QueueFixture f;
    f.driver.add_chain(std::array{f.driver.readable("abc"), f.driver.writable(64)});
    const DescriptorChain c = f.pop_chain();
    ChainReader r(f.mem, c);
    std::array<std::byte, 4> out{};
    CHECK_FALSE(r.read(out).ok());
    CHECK(r.remaining() == 3);
    REQUIRE(r.read(std::span(out).first(3)).ok());
    CHECK(text(std::span(out).first(3)) == "abc");
}

TEST_CASE("ChainReader skip() moves across buffers") {
    QueueFixture f;
    f.driver.add_chain(std::array{f.driver.readable("0123"), f.driver.readable("4567")});
    const DescriptorChain c = f.pop_chain();
    ChainReader r(f.mem, c);
    REQUIRE(r.skip(5).ok());
    std::array<std::byte, 3> out{};
    REQUIRE(r.read(out).ok());
    CHECK(text(out) == "567");
    CHECK_FALSE(r.skip(1).ok());
}

TEST_CASE("ChainWriter writes across buffers and counts what it wrote") {
    QueueFixture f;
    const std::array bufs{f.driver.readable("x"), f.driver.writable(2), f.driver.writable(3), f.driver.writable(4)};
    f.driver.add_chain(bufs);
    const DescriptorChain c = f.pop_chain();
    ChainWriter w(f.mem, c);
    CHECK(w.remaining() == 9);
    const std::string data = "hello";
    REQUIRE(w.write(std::as_bytes(std::span(data))).ok());
    CHECK(w.consumed() == 5);
    CHECK(f.driver.contents(bufs[1]) == std::vector<uint8_t>{'h', 'e'});
    CHECK(f.driver.contents(bufs[2]) == std::vector<uint8_t>{'l', 'l', 'o'});
}

TEST_CASE("ChainWriter refuses a write larger than the writable part") {
    QueueFixture f;
    f.driver.add_chain(std::array{f.driver.writable(2)});
    const DescriptorChain c = f.pop_chain();
    ChainWriter w(f.mem, c);
    CHECK_FALSE(w.write_obj(uint32_t{7}).ok());
    CHECK(w.consumed() == 0);
}

TEST_CASE("ChainWriter skip() then a status byte lands in the last writable byte") {
    QueueFixture f;
    const std::array bufs{f.driver.writable(512), f.driver.writable(1)};
    f.driver.add_chain(bufs);
    const DescriptorChain c = f.pop_chain();
    ChainWriter w(f.mem, c);
    REQUIRE(w.skip(w.remaining() - 1).ok());
    REQUIRE(w.write_obj(uint8_t{0x5a}).ok());
    CHECK(f.driver.contents(bufs[1]) == std::vector<uint8_t>{0x5a});
    CHECK(w.consumed() == 513);
}

TEST_CASE("next_slice() returns contiguous pieces that stop at buffer boundaries") {
    QueueFixture f;
    f.driver.add_chain(std::array{f.driver.readable("abcdef"), f.driver.readable("gh")});
    const DescriptorChain c = f.pop_chain();
    ChainReader r(f.mem, c);
    auto s1 = r.next_slice(4);
    REQUIRE(s1.ok());
    CHECK(s1.value().size() == 4);
    auto s2 = r.next_slice(100);
    REQUIRE(s2.ok());
    CHECK(s2.value().size() == 2);  // rest of the first buffer only
    CHECK(s2.value()[0] == 'e');
    auto s3 = r.next_slice(100);
    REQUIRE(s3.ok());
    CHECK(s3.value().size() == 2);
    auto s4 = r.next_slice(100);
    REQUIRE(s4.ok());
    CHECK(s4.value().empty());
}

TEST_CASE("a writer's next_slice() lets the device fill guest buffers in place") {
    QueueFixture f;
    const auto buf = f.driver.writable(4);
    f.driver.add_chain(std::array{buf});
    const DescriptorChain c = f.pop_chain();
    ChainWriter w(f.mem, c);
    auto s = w.next_slice(4);
    REQUIRE(s.ok());
    std::fill(s.value().begin(), s.value().end(), uint8_t{0xee});
    CHECK(w.consumed() == 4);
    CHECK(f.driver.contents(buf) == std::vector<uint8_t>(4, 0xee));
}
