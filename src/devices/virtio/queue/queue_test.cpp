// Queue: validation at activation, pop() on broken rings, the used ring and interrupt
// suppression (VIRTQ_AVAIL_F_NO_INTERRUPT and VIRTIO_F_EVENT_IDX).
#include <doctest/doctest.h>

#include "devices/virtio/queue/queue_test_util.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;
using cw::vmm::GuestAddress;

namespace {

// A valid config for a queue of 8 whose fields each test breaks in one way.
QueueConfig good_config() {
    QueueConfig c;
    c.max_size = 16;
    c.size = 8;
    c.ready = true;
    c.desc_table = GuestAddress(0x1000);
    c.avail_ring = GuestAddress(0x2000);
    c.used_ring = GuestAddress(0x3000);
    return c;
}

bool valid(const QueueConfig& c, bool event_idx = true) {
    auto mem = make_memory();
    return c.validate(mem, event_idx).ok();
}

}  // namespace

TEST_CASE("a well-formed queue config validates") { CHECK(valid(good_config())); }

TEST_CASE("a queue that is not ready is refused") {
    auto c = good_config();
    c.ready = false;
    CHECK_FALSE(valid(c));
}

TEST_CASE("queue size 0 is refused") {
    auto c = good_config();
    c.size = 0;
    CHECK_FALSE(valid(c));
}

TEST_CASE("a queue size that is not a power of two is refused") {
    auto c = good_config();
    c.size = 3;
    CHECK_FALSE(valid(c));
}

TEST_CASE("a queue size above QueueNumMax is refused") {
    auto c = good_config();
    c.size = 32;
    CHECK_FALSE(valid(c));
}

TEST_CASE("a descriptor table that is not 16-byte aligned is refused") {
    auto c = good_config();
    c.desc_table = GuestAddress(0x1008);
    CHECK_FALSE(valid(c));
}

TEST_CASE("an available ring at an odd address is refused") {
    auto c = good_config();
    c.avail_ring = GuestAddress(0x2001);
    CHECK_FALSE(valid(c));
}

TEST_CASE("a used ring that is not 4-byte aligned is refused") {
    auto c = good_config();
    c.used_ring = GuestAddress(0x3002);
    CHECK_FALSE(valid(c));
}

TEST_CASE("a descriptor table outside guest memory is refused") {
    auto c = good_config();
    c.desc_table = GuestAddress(kRamSize - 0x40);  // 8 * 16 bytes do not fit
    CHECK_FALSE(valid(c));
}

TEST_CASE("a ring address near 2^64 is refused, not wrapped") {
    auto c = good_config();
    c.avail_ring = GuestAddress(UINT64_MAX - 1);
    CHECK_FALSE(valid(c));
}

TEST_CASE("the used ring's avail_event must be inside memory only with EVENT_IDX") {
    auto c = good_config();
    c.used_ring = GuestAddress(kRamSize - used_ring_size(8, false));
    CHECK(valid(c, false));
    CHECK_FALSE(valid(c, true));
}

TEST_CASE("the available ring's used_event must be inside memory only with EVENT_IDX") {
    auto c = good_config();
    c.avail_ring = GuestAddress(kRamSize - avail_ring_size(8, false));
    CHECK(valid(c, false));
    CHECK_FALSE(valid(c, true));
}

TEST_CASE("pop on an empty ring returns nothing") {
    QueueFixture f;
    auto r = f.queue.pop(f.mem);
    REQUIRE(r.ok());
    CHECK_FALSE(r.value().has_value());
}

TEST_CASE("an avail idx more than the queue size ahead breaks the queue") {
    QueueFixture f;
    f.driver.set_avail_idx(9);  // queue of 8, nothing consumed yet
    CHECK(f.pop_error().find("ahead") != std::string::npos);
    CHECK(f.queue.broken());
}

TEST_CASE("a broken queue stays broken: later pops fail too") {
    QueueFixture f;
    f.driver.set_avail_idx(100);
    (void)f.pop_error();
    f.driver.set_avail_idx(0);
    CHECK(f.pop_error().find("reset needed") != std::string::npos);
}

TEST_CASE("a head index outside the queue breaks the queue") {
    QueueFixture f;
    f.driver.make_available(8);
    CHECK(f.pop_error().find("head 8") != std::string::npos);
}

TEST_CASE("a malformed chain breaks the queue") {
    QueueFixture f;
    f.driver.write_desc(0, {0xdead0000, 16, 0, 0});
    f.driver.make_available(0);
    (void)f.pop_error();
    CHECK(f.queue.broken());
}

TEST_CASE("add_used publishes the element and the used idx") {
    QueueFixture f;
    const auto b = f.driver.writable(8);
    const uint16_t head = f.driver.add_chain(std::array{b});
    f.complete_one(5);
    CHECK(f.driver.used_idx() == 1);
    auto used = f.driver.next_used();
    REQUIRE(used);
    CHECK(used->id == head);
    CHECK(used->len == 5);
}

TEST_CASE("add_used refuses a head outside the queue") {
    QueueFixture f;
    CHECK_FALSE(f.queue.add_used(f.mem, 8, 0).ok());
    CHECK(f.driver.used_idx() == 0);
}

TEST_CASE("without EVENT_IDX the device notifies unless VIRTQ_AVAIL_F_NO_INTERRUPT is set") {
    QueueFixture f(8, feature_bit(VIRTIO_F_VERSION_1));
    const auto b = f.driver.writable(8);
    f.driver.add_chain(std::array{b});
    f.driver.add_chain(std::array{b});
    f.complete_one();
    CHECK(f.queue.needs_notification(f.mem));
    f.driver.set_avail_flags(VIRTQ_AVAIL_F_NO_INTERRUPT);
    f.complete_one();
    CHECK_FALSE(f.queue.needs_notification(f.mem));
}

TEST_CASE("no notification when nothing was added since the last check") {
    QueueFixture f(8, feature_bit(VIRTIO_F_VERSION_1));
    f.driver.add_chain(std::array{f.driver.writable(8)});
    f.complete_one();
    CHECK(f.queue.needs_notification(f.mem));
    CHECK_FALSE(f.queue.needs_notification(f.mem));
}

TEST_CASE("with EVENT_IDX the device notifies only when the used idx passes used_event") {
    QueueFixture f;
    const auto b = f.driver.writable(8);
    for (int i = 0; i < 4; ++i)
        f.driver.add_chain(std::array{b});
    f.driver.set_used_event(0);
    f.complete_one();  // used idx 0 -> 1 passes used_event 0
    CHECK(f.queue.needs_notification(f.mem));
    f.complete_one();  // 1 -> 2: the driver still waits at 0
    CHECK_FALSE(f.queue.needs_notification(f.mem));
    f.driver.set_used_event(3);
    f.complete_one();  // 2 -> 3: not yet
    CHECK_FALSE(f.queue.needs_notification(f.mem));
    f.complete_one();  // 3 -> 4 passes 3
    CHECK(f.queue.needs_notification(f.mem));
}

TEST_CASE("EVENT_IDX: a batch that passes used_event notifies once") {
    QueueFixture f;
    const auto b = f.driver.writable(8);
    for (int i = 0; i < 3; ++i)
        f.driver.add_chain(std::array{b});
    f.driver.set_used_event(1);
    for (int i = 0; i < 3; ++i)
        f.complete_one();  // 0 -> 3 covers used_event 1
    CHECK(f.queue.needs_notification(f.mem));
}

TEST_CASE("EVENT_IDX suppression works across the 16-bit wrap of the indices") {
    QueueFixture f(4);
    const auto b = f.driver.writable(8);
    for (int i = 0; i < 0xfffe; ++i) {
        f.driver.add_chain(std::array{b});
        f.complete_one();
        REQUIRE(f.driver.next_used());
    }
    (void)f.queue.needs_notification(f.mem);  // used idx is now 0xfffe
    CHECK(f.queue.next_used() == 0xfffe);
    f.driver.set_used_event(0xffff);
    for (int i = 0; i < 3; ++i) {
        f.driver.add_chain(std::array{b});
        f.complete_one();  // 0xfffe -> 0x0001 covers 0xffff
    }
    CHECK(f.queue.next_used() == 1);
    CHECK(f.queue.needs_notification(f.mem));
    f.driver.set_used_event(0xfffd);  // already passed: no interrupt
    f.driver.add_chain(std::array{b});
    f.complete_one();
    CHECK_FALSE(f.queue.needs_notification(f.mem));
}

TEST_CASE("with EVENT_IDX an empty pop asks the driver to kick at the next buffer") {
    QueueFixture f;
    f.driver.add_chain(std::array{f.driver.writable(8)});
    (void)f.pop_chain();
    auto r = f.queue.pop(f.mem);
    REQUIRE(r.ok());
    CHECK_FALSE(r.value().has_value());
    CHECK(f.driver.avail_event() == 1);
}

TEST_CASE("set_avail_event writes the used ring's avail_event") {
    QueueFixture f;
    REQUIRE(f.queue.set_avail_event(f.mem, 0x1234).ok());
    CHECK(f.driver.avail_event() == 0x1234);
}
