// Test support (unit tests and fuzzers): the register side of Linux's virtio_mmio driver.
// 32-bit accesses to a transport's window and the probe sequence of virtio_mmio.c and
// virtio.c (3.1.1 "Driver Requirements: Device Initialization").
#pragma once

#include <array>
#include <cstdint>

#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_mmio.h"
#include "vmm/bus/bus_device.h"

namespace cw::devices::virtio::test {

inline uint32_t mmio_read32(vmm::BusDevice& dev, uint64_t offset) {
    std::array<uint8_t, 4> b{};
    dev.read(offset, b);
    return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

inline void mmio_write32(vmm::BusDevice& dev, uint64_t offset, uint32_t value) {
    const std::array<uint8_t, 4> b{static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8),
                                   static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 24)};
    dev.write(offset, b);
}

// Status |= bit, the way vm_set_status(get_status() | bit) does it.
inline void add_status(vmm::BusDevice& dev, uint32_t bit) {
    mmio_write32(dev, VIRTIO_MMIO_STATUS, mmio_read32(dev, VIRTIO_MMIO_STATUS) | bit);
}

inline uint64_t read_device_features(vmm::BusDevice& dev) {
    mmio_write32(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t f = uint64_t{mmio_read32(dev, VIRTIO_MMIO_DEVICE_FEATURES)} << 32;
    mmio_write32(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return f | mmio_read32(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

inline void write_driver_features(vmm::BusDevice& dev, uint64_t features) {
    mmio_write32(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    mmio_write32(dev, VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(features >> 32));
    mmio_write32(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    mmio_write32(dev, VIRTIO_MMIO_DRIVER_FEATURES, static_cast<uint32_t>(features));
}

// ACKNOWLEDGE, DRIVER, features (the offered ones that are in `wanted`), FEATURES_OK.
// Returns whether the device kept FEATURES_OK.
inline bool negotiate(vmm::BusDevice& dev, uint64_t wanted) {
    add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    add_status(dev, VIRTIO_CONFIG_S_DRIVER);
    write_driver_features(dev, read_device_features(dev) & wanted);
    add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
    return (mmio_read32(dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK) != 0;
}

// vm_setup_vq(): programs queue `index` from `config` (size and ring addresses) and sets
// QueueReady.
inline void setup_queue(vmm::BusDevice& dev, uint32_t index, const QueueConfig& config) {
    mmio_write32(dev, VIRTIO_MMIO_QUEUE_SEL, index);
    mmio_write32(dev, VIRTIO_MMIO_QUEUE_NUM, config.size);
    const auto split = [&](uint64_t low_reg, vmm::GuestAddress addr) {
        mmio_write32(dev, low_reg, static_cast<uint32_t>(addr.value()));
        mmio_write32(dev, low_reg + 4, static_cast<uint32_t>(addr.value() >> 32));
    };
    split(VIRTIO_MMIO_QUEUE_DESC_LOW, config.desc_table);
    split(VIRTIO_MMIO_QUEUE_AVAIL_LOW, config.avail_ring);
    split(VIRTIO_MMIO_QUEUE_USED_LOW, config.used_ring);
    mmio_write32(dev, VIRTIO_MMIO_QUEUE_READY, 1);
}

// The interrupt handler (vm_interrupt): reads InterruptStatus and acknowledges it.
inline uint32_t take_interrupt(vmm::BusDevice& dev) {
    const uint32_t status = mmio_read32(dev, VIRTIO_MMIO_INTERRUPT_STATUS);
    mmio_write32(dev, VIRTIO_MMIO_INTERRUPT_ACK, status);
    return status;
}

}  // namespace cw::devices::virtio::test
