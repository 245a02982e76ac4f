// Device status bits, reserved feature bits and device IDs: VIRTIO 1.2 sections 2.1
// (Device Status Field), 6 (Reserved Feature Bits), 5 (Device Types); the kernel's
// include/uapi/linux/virtio_config.h, virtio_ring.h and virtio_ids.h use the same values.
#pragma once

#include <cstdint>

namespace cw::devices::virtio {

// 2.1 Device Status Field (bits of the MMIO Status register).
inline constexpr uint32_t VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;   // the guest found the device
inline constexpr uint32_t VIRTIO_CONFIG_S_DRIVER = 2;        // the guest has a driver for it
inline constexpr uint32_t VIRTIO_CONFIG_S_DRIVER_OK = 4;     // the driver is ready: device live
inline constexpr uint32_t VIRTIO_CONFIG_S_FEATURES_OK = 8;   // feature negotiation complete
inline constexpr uint32_t VIRTIO_CONFIG_S_NEEDS_RESET = 64;  // device error: the driver must reset
inline constexpr uint32_t VIRTIO_CONFIG_S_FAILED = 128;      // the driver gave up on the device

// 6 Reserved Feature Bits (bit numbers). Bits 0-23 are device-specific, 24-40 the
// transport's and the ring's, 50-127 device-specific again.
inline constexpr uint32_t VIRTIO_F_INDIRECT_DESC = 28;    // 2.7.5.3 indirect descriptor tables
inline constexpr uint32_t VIRTIO_F_EVENT_IDX = 29;        // 2.7.7 used_event / avail_event
inline constexpr uint32_t VIRTIO_F_VERSION_1 = 32;        // virtio 1.x (required by MMIO version 2)
inline constexpr uint32_t VIRTIO_F_ACCESS_PLATFORM = 33;  // DMA through the platform (SEV/TDX guests need it)
inline constexpr uint32_t VIRTIO_F_RING_PACKED = 34;      // not supported
inline constexpr uint32_t VIRTIO_F_IN_ORDER = 35;         // not supported
inline constexpr uint32_t VIRTIO_F_RING_RESET = 40;       // not supported

[[nodiscard]] constexpr uint64_t feature_bit(uint32_t bit) { return uint64_t{1} << bit; }

// 5 Device Types (the MMIO DeviceID register). 0 means "no device here".
inline constexpr uint32_t VIRTIO_ID_NET = 1;
inline constexpr uint32_t VIRTIO_ID_BLOCK = 2;
inline constexpr uint32_t VIRTIO_ID_CONSOLE = 3;
inline constexpr uint32_t VIRTIO_ID_RNG = 4;
inline constexpr uint32_t VIRTIO_ID_VSOCK = 19;

}  // namespace cw::devices::virtio
