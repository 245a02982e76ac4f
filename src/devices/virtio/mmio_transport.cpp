#include "devices/virtio/mmio_transport.h"

#include <algorithm>

#include "devices/virtio/mmio_interrupt.h"
#include "devices/virtio/spec/virtio_mmio.h"
#include "devices/virtio/spec/virtio_ring.h"

namespace cw::devices::virtio {

namespace {

constexpr uint32_t kStatusSteps[] = {VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER, VIRTIO_CONFIG_S_FEATURES_OK,
                                     VIRTIO_CONFIG_S_DRIVER_OK};

uint32_t load_le32(std::span<const uint8_t> b) {
    return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

void store_le32(std::span<uint8_t> b, uint32_t v) {
    for (size_t i = 0; i < 4; ++i)
        b[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t low32(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t high32(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
uint64_t with_low32(uint64_t v, uint32_t low) { return (v & 0xffffffff00000000) | low; }
uint64_t with_high32(uint64_t v, uint32_t high) { return (v & 0xffffffff) | uint64_t{high} << 32; }

// A queue's registers after a reset: QueueNum defaults to QueueNumMax, nothing set up.
QueueConfig initial_queue(uint16_t max_size) {
    QueueConfig q;
    q.max_size = max_size;
    q.size = max_size;
    return q;
}

bool is_register_access(uint64_t offset, size_t size) {
    return size == kVirtioMmioRegisterWidth && offset % kVirtioMmioRegisterWidth == 0;
}

}  // namespace

Result<std::shared_ptr<MmioTransport>> MmioTransport::create(std::shared_ptr<VirtioDevice> device,
                                                             vmm::GuestMemory& memory, InterruptTrigger trigger,
                                                             QueueNotifier notifier, uint64_t platform_features,
                                                             std::shared_ptr<const QueueEvents> queue_events) {
    if (!device)
        return Error::msg("virtio-mmio: no device");
    if ((platform_features & ~kPlatformFeatures) != 0)
        return Error::msg("virtio-mmio: unsupported platform features");
    auto sizes = device->queue_max_sizes();
    if (sizes.empty() || sizes.size() > UINT16_MAX)
        return Error::msg("virtio-mmio: device has no queues or too many");
    for (uint16_t s : sizes)
        if (s == 0 || (s & (s - 1)) != 0 || s > kMaxQueueSize)
            return Error::msg("virtio-mmio: queue size " + std::to_string(s) + " is not a power of two in 1..32768");
    if (queue_events && queue_events->size() != sizes.size())
        return Error::msg("virtio-mmio: " + std::to_string(queue_events->size()) + " queue eventfds for " +
                          std::to_string(sizes.size()) + " queues");
    const uint64_t offered = (device->device_features() & kDeviceFeatureMask) | kTransportFeatures | platform_features;
    std::vector<uint16_t> max_sizes(sizes.begin(), sizes.end());
    return std::shared_ptr<MmioTransport>(new MmioTransport(std::move(device), memory, std::move(trigger),
                                                            std::move(notifier), std::move(queue_events), offered,
                                                            std::move(max_sizes)));
}

MmioTransport::MmioTransport(std::shared_ptr<VirtioDevice> device, vmm::GuestMemory& memory, InterruptTrigger trigger,
                             QueueNotifier notifier, std::shared_ptr<const QueueEvents> queue_events,
                             uint64_t offered, std::vector<uint16_t> max_sizes)
    : m_device(std::move(device)),
      m_memory(memory),
      m_interrupt(std::make_shared<MmioInterrupt>(std::move(trigger))),
      m_notifier(std::move(notifier)),
      m_queue_events(std::move(queue_events)),
      m_offered(offered) {
    for (uint16_t max : max_sizes)
        m_queues.push_back(initial_queue(max));
}

MmioTransport::~MmioTransport() {
    std::lock_guard lock(m_mutex);
    if (m_active)
        m_device->reset();
}

void MmioTransport::read(uint64_t offset, std::span<uint8_t> data) {
    std::fill(data.begin(), data.end(), uint8_t{0});
    if (offset >= VIRTIO_MMIO_CONFIG) {
        if (offset - VIRTIO_MMIO_CONFIG >= kVirtioMmioConfigSpaceSize)
            return;
        std::lock_guard lock(m_mutex);
        m_device->read_config(offset - VIRTIO_MMIO_CONFIG, data);
        return;
    }
    if (!is_register_access(offset, data.size()))
        return;
    std::lock_guard lock(m_mutex);
    store_le32(data, read_register(offset));
}

void MmioTransport::write(uint64_t offset, std::span<const uint8_t> data) {
    Effects effects;
    if (offset >= VIRTIO_MMIO_CONFIG) {
        if (offset - VIRTIO_MMIO_CONFIG >= kVirtioMmioConfigSpaceSize)
            return;
        std::lock_guard lock(m_mutex);
        m_device->write_config(offset - VIRTIO_MMIO_CONFIG, data);
        return;
    }
    if (!is_register_access(offset, data.size()))
        return;
    {
        std::lock_guard lock(m_mutex);
        write_register(offset, load_le32(data), effects);
    }
    if (effects.notify) {
        if (m_queue_events)
            m_queue_events->notify(*effects.notify);
        if (m_notifier)
            m_notifier(*effects.notify);
    }
    if (effects.trigger)
        m_interrupt->trigger();
}

const QueueConfig* MmioTransport::selected_queue() const {
    return m_queue_sel < m_queues.size() ? &m_queues[m_queue_sel] : nullptr;
}

uint32_t MmioTransport::read_register(uint64_t offset) const {
    const QueueConfig* q = selected_queue();
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return kVirtioMmioMagic;
    case VIRTIO_MMIO_VERSION:
        return kVirtioMmioVersion;
    case VIRTIO_MMIO_DEVICE_ID:
        return m_device->device_type();
    case VIRTIO_MMIO_VENDOR_ID:
        return kVirtioMmioVendorId;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return m_device_features_sel == 0 ? low32(m_offered) : m_device_features_sel == 1 ? high32(m_offered) : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return q ? q->max_size : 0;
    case VIRTIO_MMIO_QUEUE_READY:
        return q && q->ready ? 1 : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        return m_interrupt->status();
    case VIRTIO_MMIO_STATUS:
        return m_status | (m_interrupt->needs_reset() ? VIRTIO_CONFIG_S_NEEDS_RESET : 0);
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
        return 0xffffffff;  // no shared memory regions: length -1 (4.2.2)
    case VIRTIO_MMIO_CONFIG_GENERATION:
        return m_interrupt->config_generation();
    default:
        return 0;
    }
}

void MmioTransport::write_register(uint64_t offset, uint32_t value, Effects& effects) {
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        m_device_features_sel = value;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        write_driver_features(value);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        m_driver_features_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        m_queue_sel = value;
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (m_active && value < m_queues.size())
            effects.notify = static_cast<uint16_t>(value);
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        m_interrupt->acknowledge(value);
        break;
    case VIRTIO_MMIO_STATUS:
        set_status(value, effects);
        break;
    default:
        write_queue_register(offset, value);
        break;
    }
}

void MmioTransport::write_driver_features(uint32_t value) {
    // Only while negotiating (3.1.1 steps 3-5), and only bits that were offered.
    if ((m_status & VIRTIO_CONFIG_S_DRIVER) == 0 || (m_status & VIRTIO_CONFIG_S_FEATURES_OK) != 0 ||
        (m_status & VIRTIO_CONFIG_S_FAILED) != 0)
        return;
    if (m_driver_features_sel == 0)
        m_driver_features = with_low32(m_driver_features, value & low32(m_offered));
    else if (m_driver_features_sel == 1)
        m_driver_features = with_high32(m_driver_features, value & high32(m_offered));
}

void MmioTransport::write_queue_register(uint64_t offset, uint32_t value) {
    if (m_queue_sel >= m_queues.size() || (m_status & VIRTIO_CONFIG_S_DRIVER_OK) != 0)
        return;
    QueueConfig& q = m_queues[m_queue_sel];
    if (offset == VIRTIO_MMIO_QUEUE_READY) {
        if (value <= 1)
            q.ready = value == 1;
        return;
    }
    if (q.ready)
        return;
    vmm::GuestAddress* addr = nullptr;  // the ring address a LOW/HIGH register sets half of
    bool high = false;
    switch (offset) {
    case VIRTIO_MMIO_QUEUE_NUM:
        // Sizes above 16 bits are invalid; 0 makes validation refuse the queue.
        q.size = value <= UINT16_MAX ? static_cast<uint16_t>(value) : 0;
        return;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        high = true;
        [[fallthrough]];
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
        addr = &q.desc_table;
        break;
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
        high = true;
        [[fallthrough]];
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
        addr = &q.avail_ring;
        break;
    case VIRTIO_MMIO_QUEUE_USED_HIGH:
        high = true;
        [[fallthrough]];
    case VIRTIO_MMIO_QUEUE_USED_LOW:
        addr = &q.used_ring;
        break;
    default:
        return;  // read-only, legacy or unknown
    }
    *addr = vmm::GuestAddress(high ? with_high32(addr->value(), value) : with_low32(addr->value(), value));
}

void MmioTransport::set_status(uint32_t value, Effects& effects) {
    if (value == 0) {
        reset_locked();
        return;
    }
    if (value & VIRTIO_CONFIG_S_FAILED) {
        m_status |= VIRTIO_CONFIG_S_FAILED;
        return;
    }
    value &= ~VIRTIO_CONFIG_S_NEEDS_RESET;  // the device's bit, not the driver's
    if ((m_status & VIRTIO_CONFIG_S_FAILED) != 0 || (value & m_status) != m_status)
        return;  // after FAILED only a reset helps; bits are cleared only by a reset
    for (uint32_t bit : kStatusSteps) {
        if ((m_status & bit) != 0)
            continue;
        if ((value & bit) == 0)
            return;
        if (bit == VIRTIO_CONFIG_S_FEATURES_OK && !accept_features_ok())
            return;
        m_status |= bit;
        if (bit == VIRTIO_CONFIG_S_DRIVER_OK)
            activate(effects);
    }
}

bool MmioTransport::accept_features_ok() {
    if ((m_driver_features & feature_bit(VIRTIO_F_VERSION_1)) == 0)
        return false;  // MMIO version 2 has no legacy interface: FEATURES_OK stays clear
    m_device->ack_features(m_driver_features);
    return true;
}

void MmioTransport::activate(Effects& effects) {
    std::vector<std::optional<Queue>> queues(m_queues.size());
    for (size_t i = 0; i < m_queues.size(); ++i) {
        if (!m_queues[i].ready)
            continue;
        auto q = Queue::create(m_queues[i], m_memory, m_driver_features);
        if (!q.ok()) {
            m_interrupt->mark_needs_reset(std::move(q).error().context("virtio-mmio: queue " + std::to_string(i)));
            effects.trigger = true;
            return;
        }
        queues[i] = std::move(q).value();
    }
    auto r = m_device->activate({m_memory, std::move(queues), m_interrupt, m_driver_features, m_queue_events});
    if (!r.ok()) {
        m_interrupt->mark_needs_reset(std::move(r).error().context("virtio-mmio: activating the device"));
        effects.trigger = true;
        return;
    }
    m_active = true;
}

void MmioTransport::reset_locked() {
    m_device->reset();  // stops the device's worker before its interrupt state is cleared
    m_interrupt->reset();
    m_active = false;
    m_status = 0;
    m_device_features_sel = 0;
    m_driver_features_sel = 0;
    m_driver_features = 0;
    m_queue_sel = 0;
    for (auto& q : m_queues)
        q = initial_queue(q.max_size);
}

uint32_t MmioTransport::status() const {
    std::lock_guard lock(m_mutex);
    return read_register(VIRTIO_MMIO_STATUS);
}

bool MmioTransport::device_active() const {
    std::lock_guard lock(m_mutex);
    return m_active;
}

uint64_t MmioTransport::driver_features() const {
    std::lock_guard lock(m_mutex);
    return m_driver_features;
}

std::string MmioTransport::needs_reset_reason() const { return m_interrupt->needs_reset_reason(); }

}  // namespace cw::devices::virtio
