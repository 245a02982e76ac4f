#include "devices/virtio/blk/block.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "devices/virtio/spec/virtio_config.h"

namespace cw::devices::virtio {

namespace {

// The serial: the configured id, or the image's file name cut to 20 bytes.
Result<BlkId> make_id(const BlockConfig& config) {
    std::string id = config.id;
    if (id.empty()) {
        const size_t slash = config.path.find_last_of('/');
        id = slash == std::string::npos ? config.path : config.path.substr(slash + 1);
        id.resize(std::min<size_t>(id.size(), VIRTIO_BLK_ID_BYTES));
    }
    if (id.size() > VIRTIO_BLK_ID_BYTES)
        return Error::msg("disk " + config.path + ": id \"" + id + "\" is longer than 20 bytes");
    BlkId out{};
    std::copy(id.begin(), id.end(), out.begin());
    return out;
}

}  // namespace

Result<std::shared_ptr<Block>> Block::open(BlockConfig config) {
    const BlkId id = CW_TRY(make_id(config));
    DiskFile disk = CW_TRY(DiskFile::open(config.path, config.read_only));
    return std::shared_ptr<Block>(new Block(std::move(config), std::move(disk), id));
}

Block::Block(BlockConfig config, DiskFile disk, BlkId id)
    : m_config(std::move(config)), m_disk(std::move(disk)), m_executor(m_disk, id) {
    m_features = feature_bit(VIRTIO_BLK_F_SEG_MAX) | feature_bit(VIRTIO_BLK_F_BLK_SIZE) |
                 feature_bit(VIRTIO_BLK_F_FLUSH);
    m_config_space.capacity = m_disk.size() / kSectorSize;
    m_config_space.seg_max = kSegMax;
    m_config_space.blk_size = kSectorSize;
    if (m_disk.read_only()) {
        m_features |= feature_bit(VIRTIO_BLK_F_RO);
        return;
    }
    // Writing zeroes always works (the fallback writes them); discarding needs holes.
    m_features |= feature_bit(VIRTIO_BLK_F_WRITE_ZEROES);
    m_config_space.max_write_zeroes_sectors = kMaxDiscardSectors;
    m_config_space.max_write_zeroes_seg = kMaxDiscardSeg;
    m_config_space.write_zeroes_may_unmap = m_disk.supports_punch_hole() ? 1 : 0;
    if (m_disk.supports_punch_hole()) {
        m_features |= feature_bit(VIRTIO_BLK_F_DISCARD);
        m_config_space.max_discard_sectors = kMaxDiscardSectors;
        m_config_space.max_discard_seg = kMaxDiscardSeg;
        m_config_space.discard_sector_alignment = kDiscardSectorAlignment;
    }
}

Block::~Block() { reset(); }

uint32_t Block::device_type() const { return VIRTIO_ID_BLOCK; }

void Block::ack_features(uint64_t features) {
    std::lock_guard lock(m_mutex);
    m_acked = features;
}

void Block::read_config(uint64_t offset, std::span<uint8_t> data) {
    // Fixed at open(): no lock needed.
    read_config_bytes(std::span(reinterpret_cast<const uint8_t*>(&m_config_space), sizeof m_config_space), offset,
                      data);
}

// 5.2.4: every field the device offers is read-only for the driver (CONFIG_WCE, the one
// writable field, is not offered).
void Block::write_config(uint64_t, std::span<const uint8_t>) {}

Result<void> Block::activate(ActivationContext context) {
    if (context.queues.empty() || !context.queues[0])
        return Error::msg("virtio-blk " + m_config.path + ": queue 0 is not ready");
    if (m_worker || active())
        return Error::msg("virtio-blk " + m_config.path + ": already active");
    const uint64_t features = context.features;
    RequestLimits limits{
        .capacity_sectors = m_config_space.capacity,
        .read_only = m_disk.read_only(),
        .discard = (features & feature_bit(VIRTIO_BLK_F_DISCARD)) != 0,
        .write_zeroes = (features & feature_bit(VIRTIO_BLK_F_WRITE_ZEROES)) != 0,
        .max_discard_sectors = m_config_space.max_discard_sectors,
        .max_discard_seg = m_config_space.max_discard_seg,
        .max_write_zeroes_sectors = m_config_space.max_write_zeroes_sectors,
        .max_write_zeroes_seg = m_config_space.max_write_zeroes_seg,
    };

    std::unique_ptr<DeviceWorker> worker;
    if (const auto events = context.queue_events) {
        worker = CW_TRY(DeviceWorker::create("virtio-blk").context("virtio-blk " + m_config.path));
        // Drain first: a kick that lands while the batch runs wakes the worker again.
        auto handler = [this, events](uint32_t) {
            (*events)[0].drain();
            if (run_batch())
                (*events)[0].notify();
        };
        CW_TRY(worker->add((*events)[0].fd(), EPOLLIN, std::move(handler)).context("virtio-blk " + m_config.path));
    }
    {
        std::lock_guard lock(m_mutex);
        m_active.emplace(Active{&context.memory, std::move(*context.queues[0]), std::move(context.interrupt), limits});
    }
    if (worker) {
        if (auto started = worker->start(); !started.ok()) {
            std::lock_guard lock(m_mutex);
            m_active.reset();
            return std::move(started).context("virtio-blk " + m_config.path);
        }
        m_worker = std::move(worker);
    }
    return {};
}

void Block::reset() {
    // Join the worker before dropping what it uses; it takes m_mutex per batch, so the
    // lock must not be held while waiting for it.
    if (m_worker) {
        m_worker->stop();
        m_worker.reset();
    }
    std::lock_guard lock(m_mutex);
    m_active.reset();
    m_acked = 0;
}

bool Block::active() const {
    std::lock_guard lock(m_mutex);
    return m_active.has_value();
}

bool Block::worker_running() const { return m_worker && m_worker->running(); }

void Block::process_queue() { (void)run_batch(); }

bool Block::run_batch() {
    // Interrupts are raised after the lock is released.
    std::shared_ptr<VirtioInterrupt> interrupt;
    std::optional<Error> broken;
    bool notify = false;
    bool more = false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_active || m_active->queue.broken())
            return false;
        Active& a = *m_active;
        interrupt = a.interrupt;
        uint32_t served = 0;
        for (; served < kMaxChainsPerBatch; ++served) {
            auto chain = a.queue.pop(*a.memory);
            if (!chain.ok()) {
                broken = std::move(chain).error();
                break;
            }
            if (!chain.value())
                break;
            complete(*chain.value());
        }
        more = served == kMaxChainsPerBatch;
        notify = a.queue.needs_notification(*a.memory);
    }
    if (notify && interrupt)
        interrupt->signal_used_buffer();
    if (broken && interrupt) {
        log_guest_error("queue broken: " + broken->to_string());
        interrupt->signal_needs_reset(*broken);
    }
    return more;
}

// Called with m_mutex held and m_active set.
void Block::complete(const DescriptorChain& chain) {
    Active& a = *m_active;
    const RequestOutcome outcome = parse_request(*a.memory, chain, a.limits);
    uint32_t used_len = 0;
    if (const auto* request = std::get_if<Request>(&outcome)) {
        Completion done = m_executor.execute(*a.memory, chain, *request);
        if (done.host_error)
            log_host_error(*done.host_error);
        used_len = done.used_len;
    } else if (const auto* rejected = std::get_if<Rejected>(&outcome)) {
        log_guest_error(rejected->why);
        used_len = RequestExecutor::answer(*a.memory, chain, rejected->status_offset, rejected->status).used_len;
    } else {
        log_guest_error(std::get<Unanswerable>(outcome).why);
    }
    // Fails only for a head index >= queue size, which pop() never returns.
    (void)a.queue.add_used(*a.memory, chain.head_index(), used_len);
}

void Block::log_guest_error(const std::string& what) {
    const uint32_t n = m_guest_errors_logged.fetch_add(1);
    if (n < kMaxLogLines)
        std::fprintf(stderr, "virtio-blk %s: guest error: %s%s\n", m_config.path.c_str(), what.c_str(),
                     n + 1 == kMaxLogLines ? " (further guest errors not logged)" : "");
}

void Block::log_host_error(const Error& error) {
    const uint32_t n = m_host_errors_logged.fetch_add(1);
    if (n < kMaxLogLines)
        std::fprintf(stderr, "virtio-blk %s: I/O error: %s%s\n", m_config.path.c_str(), error.to_string().c_str(),
                     n + 1 == kMaxLogLines ? " (further I/O errors not logged)" : "");
}

}  // namespace cw::devices::virtio
