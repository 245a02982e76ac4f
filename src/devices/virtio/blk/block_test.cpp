// The virtio-blk device end to end: a mock driver probes it through an MmioTransport
// built with queue eventfds, so every request runs on the device's real worker thread;
// the temporary image file is checked byte for byte.
#include "devices/virtio/blk/block.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "devices/virtio/blk/blk_test_util.h"
#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/queue/queue_test_util.h"
#include "devices/virtio/testing/eventually.h"
#include "devices/virtio/testing/mmio_driver.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;
namespace vmm = cw::vmm;

namespace {

constexpr uint64_t kDiskSize = 64 * 512;
constexpr uint64_t kAllBlkFeatures = feature_bit(VIRTIO_BLK_F_SEG_MAX) | feature_bit(VIRTIO_BLK_F_BLK_SIZE) |
                                     feature_bit(VIRTIO_BLK_F_FLUSH) | feature_bit(VIRTIO_BLK_F_RO) |
                                     feature_bit(VIRTIO_BLK_F_DISCARD) | feature_bit(VIRTIO_BLK_F_WRITE_ZEROES);

struct BlockFixture {
    explicit BlockFixture(bool read_only = false, uint16_t queue_size = 16)
        : driver(mem, kRingBase, queue_size, kDataBase, kDataSize) {
        blk = must(Block::open({.path = disk.path(), .read_only = read_only, .id = "cw-serial"}));
        events = std::make_shared<const QueueEvents>(must(QueueEvents::create(1)));
        transport = must(MmioTransport::create(blk, mem, [this] { ++triggers; }, nullptr, 0, events));
    }

    void bring_up() {
        REQUIRE(negotiate(*transport, kRingFeatures | kAllBlkFeatures));
        setup_queue(*transport, 0, driver.queue_config(Block::kQueueMaxSize));
        add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
        REQUIRE(transport->device_active());
    }
    [[nodiscard]] uint32_t status() { return mmio_read32(*transport, VIRTIO_MMIO_STATUS); }
    void kick() { mmio_write32(*transport, VIRTIO_MMIO_QUEUE_NOTIFY, 0); }

    // Submits one chain, kicks, and waits for the worker to return it.
    VirtqUsedElem submit(std::span<const MockDriver::Buffer> buffers) {
        const uint16_t head = driver.add_chain(buffers);
        kick();
        std::optional<VirtqUsedElem> used;
        REQUIRE(eventually([&] { return (used = driver.next_used()).has_value(); }));
        CHECK(used->id == head);
        return *used;
    }
    uint8_t status_of(const MockDriver::Buffer& status_buffer) { return driver.contents(status_buffer).back(); }

    // Writes `data` at `sector`; returns the status byte.
    uint8_t write(uint64_t sector, const std::vector<uint8_t>& data) {
        const auto st = driver.writable(1);
        const auto used = submit(std::array{driver.readable(blk_header(VIRTIO_BLK_T_OUT, sector)),
                                            driver.readable(data), st});
        CHECK(used.len == 1);
        return status_of(st);
    }

    TempDisk disk{kDiskSize};
    vmm::GuestMemory mem = make_memory();
    MockDriver driver;
    std::shared_ptr<Block> blk;
    std::shared_ptr<const QueueEvents> events;
    std::atomic<int> triggers{0};
    std::shared_ptr<MmioTransport> transport;
};

uint64_t read_config64(MmioTransport& t, uint64_t offset) {
    return uint64_t{mmio_read32(t, VIRTIO_MMIO_CONFIG + offset)} |
           uint64_t{mmio_read32(t, VIRTIO_MMIO_CONFIG + offset + 4)} << 32;
}

}  // namespace

TEST_CASE("open refuses a missing image and an over-long id, naming the path") {
    auto missing = Block::open({.path = "/nonexistent-cw-blk/x.img", .read_only = false, .id = ""});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message().find("/nonexistent-cw-blk/x.img") != std::string::npos);
    TempDisk disk(4096);
    auto long_id = Block::open({.path = disk.path(), .read_only = false, .id = std::string(21, 'x')});
    REQUIRE_FALSE(long_id.ok());
    CHECK(long_id.error().message().find(disk.path()) != std::string::npos);
}

TEST_CASE("features and config space describe the disk; config writes are ignored") {
    BlockFixture f;
    const uint64_t features = read_device_features(*f.transport);
    CHECK((features & feature_bit(VIRTIO_BLK_F_SEG_MAX)) != 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_BLK_SIZE)) != 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_FLUSH)) != 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_WRITE_ZEROES)) != 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_RO)) == 0);
    CHECK(read_config64(*f.transport, offsetof(VirtioBlkConfig, capacity)) == 64);
    CHECK(mmio_read32(*f.transport, VIRTIO_MMIO_CONFIG + offsetof(VirtioBlkConfig, seg_max)) == Block::kSegMax);
    CHECK(mmio_read32(*f.transport, VIRTIO_MMIO_CONFIG + offsetof(VirtioBlkConfig, blk_size)) == 512);
    mmio_write32(*f.transport, VIRTIO_MMIO_CONFIG, 0xffffffff);
    CHECK(read_config64(*f.transport, offsetof(VirtioBlkConfig, capacity)) == 64);
}

TEST_CASE("a read-only disk offers RO and neither DISCARD nor WRITE_ZEROES") {
    BlockFixture f(true);
    const uint64_t features = read_device_features(*f.transport);
    CHECK((features & feature_bit(VIRTIO_BLK_F_RO)) != 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_DISCARD)) == 0);
    CHECK((features & feature_bit(VIRTIO_BLK_F_WRITE_ZEROES)) == 0);
}

TEST_CASE("a written pattern reads back, and the file holds exactly the pattern") {
    BlockFixture f;
    f.bring_up();
    const auto data = pattern(1536);
    CHECK(f.write(2, data) == VIRTIO_BLK_S_OK);

    const std::array outs{f.driver.writable(512), f.driver.writable(1024)};
    const auto st = f.driver.writable(1);
    const auto used = f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_IN, 2)), outs[0], outs[1], st});
    CHECK(used.len == 1537);
    CHECK(f.status_of(st) == VIRTIO_BLK_S_OK);
    auto back = f.driver.contents(outs[0]);
    const auto second = f.driver.contents(outs[1]);
    back.insert(back.end(), second.begin(), second.end());
    CHECK(back == data);

    std::vector<uint8_t> expected(kDiskSize, 0);
    std::copy(data.begin(), data.end(), expected.begin() + 1024);
    CHECK(f.disk.contents() == expected);
    CHECK(f.blk->worker_running());
}

TEST_CASE("a read-only disk answers writes with IOERR and leaves the file alone") {
    BlockFixture f(true);
    f.bring_up();
    CHECK(f.write(0, pattern(512)) == VIRTIO_BLK_S_IOERR);
    CHECK(f.disk.contents() == std::vector<uint8_t>(kDiskSize, 0));
}

TEST_CASE("a request past the end of the disk is IOERR and touches nothing") {
    BlockFixture f;
    f.bring_up();
    CHECK(f.write(63, pattern(1024)) == VIRTIO_BLK_S_IOERR);
    const auto st = f.driver.writable(1);
    const auto used = f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_IN, 64)), f.driver.writable(512), st});
    CHECK(used.len == 1);
    CHECK(f.status_of(st) == VIRTIO_BLK_S_IOERR);
    CHECK(f.disk.contents() == std::vector<uint8_t>(kDiskSize, 0));
}

TEST_CASE("GET_ID writes the serial, or what fits of it") {
    BlockFixture f;
    f.bring_up();
    const auto id = f.driver.writable(20);
    const auto st = f.driver.writable(1);
    auto used = f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_GET_ID)), id, st});
    CHECK(used.len == 21);
    CHECK(f.status_of(st) == VIRTIO_BLK_S_OK);
    std::vector<uint8_t> expected(20, 0);
    const std::string serial = "cw-serial";
    std::copy(serial.begin(), serial.end(), expected.begin());
    CHECK(f.driver.contents(id) == expected);

    const auto short_buf = f.driver.writable(4);
    used = f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_GET_ID)), short_buf, f.driver.writable(1)});
    CHECK(used.len == 5);
    CHECK(f.driver.contents(short_buf) == std::vector<uint8_t>{'c', 'w', '-', 's'});
}

TEST_CASE("FLUSH succeeds; an unknown type is UNSUPP") {
    BlockFixture f;
    f.bring_up();
    auto st = f.driver.writable(1);
    CHECK(f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_FLUSH)), st}).len == 1);
    CHECK(f.status_of(st) == VIRTIO_BLK_S_OK);
    st = f.driver.writable(1);
    f.submit(std::array{f.driver.readable(blk_header(42)), st});
    CHECK(f.status_of(st) == VIRTIO_BLK_S_UNSUPP);
}

TEST_CASE("WRITE_ZEROES (and DISCARD where offered) zero their ranges") {
    BlockFixture f;
    f.disk.write_at(0, pattern(kDiskSize));
    f.bring_up();
    auto st = f.driver.writable(1);
    f.submit(std::array{f.driver.readable(range_request(VIRTIO_BLK_T_WRITE_ZEROES, {{1, 2, 0}})), st});
    CHECK(f.status_of(st) == VIRTIO_BLK_S_OK);
    auto expected = pattern(kDiskSize);
    std::fill(expected.begin() + 512, expected.begin() + 1536, uint8_t{0});
    const bool discard = (f.transport->driver_features() & feature_bit(VIRTIO_BLK_F_DISCARD)) != 0;
    if (discard) {
        st = f.driver.writable(1);
        f.submit(std::array{f.driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{8, 8, 0}})), st});
        CHECK(f.status_of(st) == VIRTIO_BLK_S_OK);
        std::fill(expected.begin() + 4096, expected.begin() + 8192, uint8_t{0});
    }
    CHECK(f.disk.contents() == expected);
}

TEST_CASE("a chain without a writable byte comes back with length 0; the queue keeps working") {
    BlockFixture f;
    f.bring_up();
    CHECK(f.submit(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_FLUSH))}).len == 0);
    CHECK(f.write(0, pattern(512)) == VIRTIO_BLK_S_OK);
}

TEST_CASE("more chains than one batch are all served after a single kick") {
    BlockFixture f(false, 128);
    f.bring_up();
    constexpr int kChains = 100;  // > Block::kMaxChainsPerBatch
    static_assert(kChains > Block::kMaxChainsPerBatch);
    for (int i = 0; i < kChains; ++i)
        f.driver.add_chain(std::array{f.driver.readable(blk_header(VIRTIO_BLK_T_FLUSH)), f.driver.writable(1)});
    f.kick();
    CHECK(eventually([&] { return f.driver.used_idx() == kChains; }));
    CHECK(eventually([&] { return f.triggers.load() >= 1; }));
}

TEST_CASE("a broken ring sets DEVICE_NEEDS_RESET; a reset stops the worker and a new probe works") {
    BlockFixture f;
    f.bring_up();
    f.driver.set_avail_idx(100);  // more than queue size ahead of the device
    f.kick();
    CHECK(eventually([&] { return (f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0; }));
    CHECK(f.transport->needs_reset_reason().find("avail idx") != std::string::npos);

    mmio_write32(*f.transport, VIRTIO_MMIO_STATUS, 0);
    CHECK(f.status() == 0);
    CHECK_FALSE(f.blk->worker_running());
    CHECK_FALSE(f.blk->active());

    MockDriver fresh(f.mem, kRingBase, 16, kDataBase, kDataSize);  // re-zeroes the rings
    f.bring_up();
    CHECK(f.blk->worker_running());
    const auto st = fresh.writable(1);
    fresh.add_chain(std::array{fresh.readable(blk_header(VIRTIO_BLK_T_OUT, 5)), fresh.readable(pattern(512)), st});
    f.kick();
    std::optional<VirtqUsedElem> used;
    REQUIRE(eventually([&] { return (used = fresh.next_used()).has_value(); }));
    CHECK(fresh.contents(st).back() == VIRTIO_BLK_S_OK);
    const auto all = f.disk.contents();
    CHECK(std::vector(all.begin() + 5 * 512, all.begin() + 6 * 512) == pattern(512));
}

TEST_CASE("activation without queue 0 is refused") {
    BlockFixture f;
    REQUIRE(negotiate(*f.transport, kRingFeatures | kAllBlkFeatures));
    add_status(*f.transport, VIRTIO_CONFIG_S_DRIVER_OK);
    CHECK((f.status() & VIRTIO_CONFIG_S_NEEDS_RESET) != 0);
    CHECK(f.transport->needs_reset_reason().find("queue 0") != std::string::npos);
    CHECK_FALSE(f.blk->worker_running());
}

TEST_CASE("without queue events, process_queue() serves the queue on the caller's thread") {
    TempDisk disk(kDiskSize);
    vmm::GuestMemory mem = make_memory();
    MockDriver driver(mem, kRingBase, 8, kDataBase, kDataSize);
    auto blk = must(Block::open({.path = disk.path(), .read_only = false, .id = ""}));
    auto transport = must(MmioTransport::create(blk, mem, [] {}, [&](uint16_t) { blk->process_queue(); }));
    REQUIRE(negotiate(*transport, kRingFeatures | kAllBlkFeatures));
    setup_queue(*transport, 0, driver.queue_config(Block::kQueueMaxSize));
    add_status(*transport, VIRTIO_CONFIG_S_DRIVER_OK);
    CHECK_FALSE(blk->worker_running());
    const auto id = driver.writable(20);
    driver.add_chain(std::array{driver.readable(blk_header(VIRTIO_BLK_T_GET_ID)), id, driver.writable(1)});
    mmio_write32(*transport, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    REQUIRE(driver.next_used());
    // The default serial is the image's file name, cut to 20 bytes.
    const std::string name = disk.path().substr(disk.path().find_last_of('/') + 1);
    const auto got = driver.contents(id);
    CHECK(std::string(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(name.size(), 20))) ==
          name.substr(0, 20));
}
