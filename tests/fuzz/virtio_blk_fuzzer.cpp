// libFuzzer target for the virtio-blk device (devices/virtio/blk): the guest owns the
// ring, every descriptor and every request byte, so any memory contents must leave the
// device and the backing file safe.
//
// Input: byte 0 chooses the queue size (1 << (b % 9): 1..256); byte 1 the negotiated
// features (bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 DISCARD, bit 3 WRITE_ZEROES) and
// bit 4 the read-only disk instead of the writable one; the rest is copied to guest memory
// from address 0. Memory and ring layout as in virtqueue_fuzzer.cpp: [0, 64 KiB) plus
// [128 KiB, 132 KiB), available ring at 0, descriptor table at the next 16-byte boundary,
// used ring after it. So short inputs reach the rings, and descriptors can point at the
// request headers, into a hole, across a region edge or near 2^64.
//
// The device is activated without queue events and served synchronously with
// process_queue() (the worker runs the same code), a bounded number of batches, then
// reset. Its backing files are 64 KiB temporary images, in /dev/shm where it exists so
// FLUSH (fdatasync) costs nothing. Checked: the files never change size (nothing is
// written outside the disk), the device never crashes (ASan/UBSan), and a broken ring is
// reported as NEEDS_RESET.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

#include "devices/virtio/blk/block.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_ring.h"
#include "vmm/memory/guest_memory.h"
#include "fuzz_ring.h"

namespace {

using cw::devices::virtio::ActivationContext;
using cw::devices::virtio::Block;
using cw::devices::virtio::Queue;
using cw::devices::virtio::QueueConfig;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
namespace virtio = cw::devices::virtio;

using cw::fuzz::check;
constexpr uint64_t kDiskSize = 0x10000;

// A kDiskSize image in /dev/shm (or $TMPDIR), unlinked at exit.
struct Image {
    explicit Image(bool read_only) {
        const char* tmp = std::getenv("TMPDIR");
        const std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (tmp && *tmp ? tmp : "/tmp");
        path = dir + "/cw-blk-fuzz-XXXXXX";
        const int fd = ::mkstemp(path.data());
        check(fd >= 0 && ::ftruncate(fd, static_cast<off_t>(kDiskSize)) == 0);
        ::close(fd);
        auto opened = Block::open({.path = path, .read_only = read_only, .id = "fuzz"});
        check(opened.ok());
        block = std::move(opened).value();
    }
    ~Image() { ::unlink(path.c_str()); }
    [[nodiscard]] uint64_t size() const {
        struct stat st {};
        check(::stat(path.c_str(), &st) == 0);
        return static_cast<uint64_t>(st.st_size);
    }
    std::string path;
    std::shared_ptr<Block> block;
};

class FuzzInterrupt final : public virtio::VirtioInterrupt {
public:
    void signal_used_buffer() override {}
    void signal_config_change() override {}
    void signal_needs_reset(const cw::Error&) override { needs_reset = true; }
    bool needs_reset = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Image writable(false);
    static Image read_only(true);
    if (size < 2)
        return 0;
    GuestMemory& mem = cw::fuzz::fuzz_memory();
    auto [config, features] = cw::fuzz::lay_out_ring(std::span(data, size), Block::kQueueMaxSize);
    Image& image = (data[1] & 16) ? read_only : writable;
    // The transport masks driver features to the offered ones; do the same here.
    const uint64_t blk_bits = ((data[1] & 4) ? virtio::feature_bit(virtio::VIRTIO_BLK_F_DISCARD) : 0) |
                              ((data[1] & 8) ? virtio::feature_bit(virtio::VIRTIO_BLK_F_WRITE_ZEROES) : 0);
    features |= blk_bits & image.block->device_features();

    auto created = Queue::create(config, mem, features);
    check(created.ok());
    std::vector<std::optional<Queue>> queues;
    queues.emplace_back(std::move(created).value());
    auto interrupt = std::make_shared<FuzzInterrupt>();
    image.block->ack_features(features);
    check(image.block->activate(ActivationContext{mem, std::move(queues), interrupt, features, nullptr}).ok());

    // Enough batches for every entry a few times over (a device that writes into the ring
    // can keep it non-empty, so the bound matters).
    const uint32_t batches = 4U * config.size / Block::kMaxChainsPerBatch + 2;
    for (uint32_t i = 0; i < batches && !interrupt->needs_reset; ++i)
        image.block->process_queue();
    image.block->reset();
    check(!image.block->active());
    check(image.size() == kDiskSize);
    return 0;
}
