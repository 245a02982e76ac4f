// DescriptorChain::walk through Queue::pop: what a valid chain holds, and one test per
// rejection path.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/virtio/queue/queue_test_util.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;
using cw::vmm::GuestAddress;

namespace {

constexpr uint16_t R = 0;
constexpr uint16_t W = VIRTQ_DESC_F_WRITE;
constexpr uint16_t N = VIRTQ_DESC_F_NEXT;
constexpr uint16_t I = VIRTQ_DESC_F_INDIRECT;
constexpr uint64_t kBuf = kDataBase.value();  // some address inside guest memory

bool mentions(const std::string& error, const char* what) { return error.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("a direct chain yields its buffers in order, readable before writable") {
    QueueFixture f;
    const std::array bufs{f.driver.readable("head"), f.driver.readable("body"), f.driver.writable(16)};
    const uint16_t head = f.driver.add_chain(bufs);
    const DescriptorChain c = f.pop_chain();
    CHECK(c.head_index() == head);
    REQUIRE(c.segments().size() == 3);
    CHECK(c.readable().size() == 2);
    CHECK(c.writable().size() == 1);
    CHECK(c.readable()[1].addr == bufs[1].addr);
    CHECK(c.readable_len() == 8);
    CHECK(c.writable_len() == 16);
    CHECK(c.writable()[0].writable);
}

TEST_CASE("an indirect table yields the buffers it lists") {
    QueueFixture f;
    const std::array bufs{f.driver.readable("req"), f.driver.writable(4), f.driver.writable(1)};
    const uint16_t head = f.driver.add_indirect_chain(bufs);
    const DescriptorChain c = f.pop_chain();
    CHECK(c.head_index() == head);
    CHECK(c.readable().size() == 1);
    CHECK(c.writable().size() == 2);
    CHECK(c.writable_len() == 5);
}

TEST_CASE("direct descriptors may precede the indirect one") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, W, 0}});
    f.driver.write_desc(0, {kBuf, 8, N, 1});
    f.driver.write_desc(1, {table.value(), 16, I, 0});
    f.driver.make_available(0);
    const DescriptorChain c = f.pop_chain();
    CHECK(c.readable_len() == 8);
    CHECK(c.writable_len() == 4);
}

TEST_CASE("zero-length buffers are accepted and carry no segment") {
    QueueFixture f;
    f.driver.write_desc(0, {0xdead0000, 0, N, 1});  // address not checked: nothing is read
    f.driver.write_desc(1, {kBuf, 4, W, 0});
    f.driver.make_available(0);
    const DescriptorChain c = f.pop_chain();
    CHECK(c.segments().size() == 1);
}

TEST_CASE("a loop via next is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kBuf, 4, N, 1});
    f.driver.write_desc(1, {kBuf, 4, N, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "loop"));
}

TEST_CASE("a next index outside the queue is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kBuf, 4, N, 8});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "next index 8"));
}

TEST_CASE("INDIRECT combined with NEXT is refused") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, R, 0}});
    f.driver.write_desc(0, {table.value(), 16, I | N, 1});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "INDIRECT combined with NEXT"));
}

TEST_CASE("INDIRECT without VIRTIO_F_INDIRECT_DESC is refused") {
    QueueFixture f(8, feature_bit(VIRTIO_F_VERSION_1));
    f.driver.add_indirect_chain(std::array{f.driver.writable(4)});
    CHECK(mentions(f.pop_error(), "VIRTIO_F_INDIRECT_DESC"));
}

TEST_CASE("a nested indirect table is refused") {
    QueueFixture f;
    const GuestAddress inner = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, R, 0}});
    const GuestAddress outer = f.driver.write_table(std::array{VirtqDesc{inner.value(), 16, I, 0}});
    f.driver.write_desc(0, {outer.value(), 16, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "nested"));
}

TEST_CASE("an indirect table length that is not a multiple of 16 is refused") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, R, 0}, VirtqDesc{}});
    f.driver.write_desc(0, {table.value(), 24, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "multiple of 16"));
}

TEST_CASE("an empty indirect table is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kBuf, 0, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "multiple of 16"));
}

TEST_CASE("an indirect table longer than the queue is refused before it is read") {
    QueueFixture f;  // queue of 8
    f.driver.write_desc(0, {kBuf, 9 * 16, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "longer than the queue"));
}

TEST_CASE("an indirect table outside guest memory is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kRamSize - 16, 32, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "indirect table"));
}

TEST_CASE("a loop inside an indirect table is refused") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, N, 1}, VirtqDesc{kBuf, 4, N, 0}});
    f.driver.write_desc(0, {table.value(), 32, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "loop"));
}

TEST_CASE("a next index outside the indirect table is refused") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, N, 2}, VirtqDesc{kBuf, 4, R, 0}});
    f.driver.write_desc(0, {table.value(), 32, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "outside the table"));
}

TEST_CASE("more buffers than the queue size, counting indirect entries, are refused") {
    QueueFixture f;  // queue of 8: 7 direct + an indirect table of 2
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, N, 1}, VirtqDesc{kBuf, 4, R, 0}});
    for (uint16_t i = 0; i < 7; ++i)
        f.driver.write_desc(i, {kBuf, 4, N, static_cast<uint16_t>(i + 1)});
    f.driver.write_desc(7, {table.value(), 32, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "more than 8 buffers"));
}

TEST_CASE("a buffer outside guest memory is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kRamSize, 4, R, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "outside guest memory"));
}

TEST_CASE("a buffer straddling two memory regions is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kRegionSize - 8, 16, R, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "outside guest memory"));
}

TEST_CASE("a buffer wrapping past 2^64 is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {UINT64_MAX - 7, 16, W, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "outside guest memory"));
}

TEST_CASE("a readable buffer after a writable one is refused") {
    QueueFixture f;
    f.driver.write_desc(0, {kBuf, 4, W | N, 1});
    f.driver.write_desc(1, {kBuf, 4, R, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "readable buffer after"));
}

TEST_CASE("a readable indirect entry after a writable direct buffer is refused") {
    QueueFixture f;
    const GuestAddress table = f.driver.write_table(std::array{VirtqDesc{kBuf, 4, R, 0}});
    f.driver.write_desc(0, {kBuf, 4, W | N, 1});
    f.driver.write_desc(1, {table.value(), 16, I, 0});
    f.driver.make_available(0);
    CHECK(mentions(f.pop_error(), "readable buffer after"));
}

TEST_CASE("a chain longer than 4 GiB in total is refused") {
    // 16 descriptors of 256 MiB, all over the same (never touched) guest memory.
    constexpr uint64_t kBig = 0x10000000;
    const std::array specs{cw::vmm::RegionSpec{GuestAddress(0), kBig + 0x100000}};
    auto mem = must(cw::vmm::GuestMemory::create_anonymous(specs));
    MockDriver driver(mem, GuestAddress(kBig), 16, GuestAddress(kBig + 0x10000), 0x10000);
    auto queue = must(Queue::create(driver.queue_config(16), mem, kRingFeatures));
    for (uint16_t i = 0; i < 16; ++i)
        driver.write_desc(i, {0, static_cast<uint32_t>(kBig), static_cast<uint16_t>(i < 15 ? N : 0),
                              static_cast<uint16_t>(i + 1)});
    driver.make_available(0);
    auto r = queue.pop(mem);
    REQUIRE_FALSE(r.ok());
    CHECK(mentions(r.error().message(), "exceeds 4 GiB"));
}

TEST_CASE("a chain is copied out once: later guest writes to the table change nothing") {
    QueueFixture f;
    f.driver.write_desc(0, {kBuf, 4, W, 0});
    f.driver.make_available(0);
    const DescriptorChain c = f.pop_chain();
    f.driver.write_desc(0, {0xdead0000, 4096, R, 0});
    CHECK(c.segments()[0].addr == GuestAddress(kBuf));
    CHECK(c.segments()[0].len == 4);
}
