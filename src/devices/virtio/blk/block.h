// virtio-blk (VIRTIO 1.2, 5.2) over a raw image file: one request queue served by a
// DeviceWorker thread.
//
// Offered: SEG_MAX, BLK_SIZE (512), FLUSH (fdatasync); RO for a read-only disk; otherwise
// WRITE_ZEROES, and DISCARD where the file system can punch holes. The config space is
// fixed at open() and read-only to the driver.
//
// Guest errors: a malformed request (short header, range past the disk, data not a
// multiple of 512, unknown type, ...) is answered with IOERR or UNSUPP (request.h); a chain
// with no writable byte is returned with used length 0; a broken ring (pop() fails) sets
// DEVICE_NEEDS_RESET and the queue is not touched again until reset(). Host errors (the
// file fails) answer IOERR. Both are logged to stderr, a few lines at most per kind.
//
// Threading: the transport calls the VirtioDevice methods under its lock; between
// activate() and reset() only the worker (or a process_queue() caller) touches the queue,
// guest memory and the file.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "devices/virtio/blk/blk_spec.h"
#include "devices/virtio/blk/disk_file.h"
#include "devices/virtio/blk/executor.h"
#include "devices/virtio/blk/request.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/worker/device_worker.h"

namespace cw::devices::virtio {

struct BlockConfig {
    std::string path;  // raw image
    bool read_only = false;
    std::string id;  // GET_ID serial (<= 20 bytes; default: file name truncated)
};

class Block final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueMaxSize = 256;
    // Data segments per request: a chain of queue size buffers less the header and status.
    static constexpr uint32_t kSegMax = kQueueMaxSize - 2;
    // Chains served per wake-up; the worker re-notifies itself when more may remain, so
    // one busy queue cannot keep it from its other fds (and stop()).
    static constexpr uint32_t kMaxChainsPerBatch = 64;
    // DISCARD / WRITE_ZEROES limits advertised in config space (per request / per range).
    static constexpr uint32_t kMaxDiscardSeg = 32;
    static constexpr uint32_t kMaxDiscardSectors = 1U << 22;  // 2 GiB per range
    static constexpr uint32_t kDiscardSectorAlignment = 8;     // 4 KiB, a hint for the guest
    // Log lines per kind (guest mistakes, host I/O errors) over the device's lifetime.
    static constexpr uint32_t kMaxLogLines = 5;

    // Opens the image; errors name the path.
    [[nodiscard]] static Result<std::shared_ptr<Block>> open(BlockConfig config);
    ~Block() override;
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;

    [[nodiscard]] uint32_t device_type() const override;
    [[nodiscard]] std::span<const uint16_t> queue_max_sizes() const override { return m_max_sizes; }
    [[nodiscard]] uint64_t device_features() const override { return m_features; }
    void ack_features(uint64_t features) override;
    void read_config(uint64_t offset, std::span<uint8_t> data) override;
    void write_config(uint64_t offset, std::span<const uint8_t> data) override;
    // Takes queue 0 (refused when not ready). With queue_events, a worker thread serves
    // the queue from then on; without (unit tests), process_queue() does.
    [[nodiscard]] Result<void> activate(ActivationContext context) override;
    void reset() override;

    // Serves one batch of queue 0 on the calling thread. For transports built without
    // queue events; the worker runs the same code.
    void process_queue();

    [[nodiscard]] uint64_t capacity_sectors() const { return m_config_space.capacity; }
    [[nodiscard]] bool active() const;
    [[nodiscard]] bool worker_running() const;

private:
    Block(BlockConfig config, DiskFile disk, BlkId id);
    // Runs one batch; true when it stopped at the batch limit (more may be available).
    bool run_batch();
    void complete(const DescriptorChain& chain);
    void log_guest_error(const std::string& what);
    void log_host_error(const Error& error);

    // Runtime state from activate() to reset().
    struct Active {
        vmm::GuestMemory* memory;
        Queue queue;
        std::shared_ptr<VirtioInterrupt> interrupt;
        RequestLimits limits;
    };

    const BlockConfig m_config;
    const uint16_t m_max_sizes[1] = {kQueueMaxSize};
    DiskFile m_disk;
    RequestExecutor m_executor;  // uses m_disk
    uint64_t m_features = 0;
    VirtioBlkConfig m_config_space{};

    // Guards m_acked and m_active: the worker holds it while it serves a batch.
    mutable std::mutex m_mutex;
    uint64_t m_acked = 0;
    std::optional<Active> m_active;
    // Only the transport's thread (activate/reset, under the transport's lock) touches it.
    std::unique_ptr<DeviceWorker> m_worker;

    std::atomic<uint32_t> m_guest_errors_logged{0};
    std::atomic<uint32_t> m_host_errors_logged{0};
};

}  // namespace cw::devices::virtio
