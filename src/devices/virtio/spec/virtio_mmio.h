// Virtio over MMIO, version 2 ("non-legacy"): VIRTIO 1.2, section 4.2.2, table "MMIO
// Device Register Layout" (the kernel's include/uapi/linux/virtio_mmio.h uses the same
// names). Offsets are from the start of the device's MMIO window. Only MmioTransport
// decodes them.
#pragma once

#include <cstdint>

namespace cw::devices::virtio {

inline constexpr uint64_t VIRTIO_MMIO_MAGIC_VALUE = 0x000;          // R: 0x74726976 ("virt")
inline constexpr uint64_t VIRTIO_MMIO_VERSION = 0x004;              // R: 2
inline constexpr uint64_t VIRTIO_MMIO_DEVICE_ID = 0x008;            // R: 5 "Device Types"
inline constexpr uint64_t VIRTIO_MMIO_VENDOR_ID = 0x00c;            // R
inline constexpr uint64_t VIRTIO_MMIO_DEVICE_FEATURES = 0x010;      // R: 32 bits selected by ..._SEL
inline constexpr uint64_t VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;  // W
inline constexpr uint64_t VIRTIO_MMIO_DRIVER_FEATURES = 0x020;      // W: 32 bits selected by ..._SEL
inline constexpr uint64_t VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;  // W
inline constexpr uint64_t VIRTIO_MMIO_GUEST_PAGE_SIZE = 0x028;      // legacy (version 1) only
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_SEL = 0x030;            // W
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;        // R: 0 = queue not available
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_NUM = 0x038;            // W
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_ALIGN = 0x03c;          // legacy only
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_PFN = 0x040;            // legacy only
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_READY = 0x044;          // RW
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;         // W: queue index
inline constexpr uint64_t VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;     // R: VIRTIO_MMIO_INT_*
inline constexpr uint64_t VIRTIO_MMIO_INTERRUPT_ACK = 0x064;        // W: clears the bits written
inline constexpr uint64_t VIRTIO_MMIO_STATUS = 0x070;               // RW: 2.1 device status
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;       // W
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;      // W
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090;      // W ("QueueDriver" in the spec)
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094;     // W
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0;       // W ("QueueDevice" in the spec)
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4;      // W
inline constexpr uint64_t VIRTIO_MMIO_SHM_SEL = 0x0ac;              // W
inline constexpr uint64_t VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0;          // R: ~0 = no such region
inline constexpr uint64_t VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4;         // R
inline constexpr uint64_t VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8;         // R
inline constexpr uint64_t VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc;        // R
inline constexpr uint64_t VIRTIO_MMIO_QUEUE_RESET = 0x0c0;          // RW, only with VIRTIO_F_RING_RESET
inline constexpr uint64_t VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;    // R
inline constexpr uint64_t VIRTIO_MMIO_CONFIG = 0x100;               // device-specific configuration space

// Bits of InterruptStatus / InterruptACK.
inline constexpr uint32_t VIRTIO_MMIO_INT_VRING = 1U << 0;   // used buffer notification
inline constexpr uint32_t VIRTIO_MMIO_INT_CONFIG = 1U << 1;  // configuration change notification

inline constexpr uint32_t kVirtioMmioMagic = 0x74726976;  // "virt" read as a little-endian u32
inline constexpr uint32_t kVirtioMmioVersion = 2;
// The Vendor ID register: Linux ignores it; 0 as in Firecracker and Cloud Hypervisor.
inline constexpr uint32_t kVirtioMmioVendorId = 0;
// Every register is 32 bits wide and 4-byte aligned (4.2.2: "The driver MUST only use
// 32 bit wide and aligned reads and writes to access the control registers").
inline constexpr uint64_t kVirtioMmioRegisterWidth = 4;
// One device per 4 KiB window (vmm/arch/x86_64/layout.h): config space is the rest.
inline constexpr uint64_t kVirtioMmioWindowSize = 0x1000;
inline constexpr uint64_t kVirtioMmioConfigSpaceSize = kVirtioMmioWindowSize - VIRTIO_MMIO_CONFIG;

static_assert(VIRTIO_MMIO_CONFIG_GENERATION % kVirtioMmioRegisterWidth == 0 && VIRTIO_MMIO_CONFIG == 0x100);
static_assert(kVirtioMmioMagic == ('v' | 'i' << 8 | 'r' << 16 | static_cast<uint32_t>('t') << 24));

}  // namespace cw::devices::virtio
