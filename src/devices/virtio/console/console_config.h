// virtio-console wire format: VIRTIO 1.2, section 5.3 (the kernel's
// include/uapi/linux/virtio_console.h has the same layout). Declared once here; the
// device builds its config space only from this struct.
//
// Every field is little-endian (2.4); virtio_ring.h already asserts a little-endian host,
// so plain integer fields are the wire layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "devices/virtio/spec/virtio_ring.h"

namespace cw::devices::virtio {

// 5.3.3 Feature bits (bit numbers).
inline constexpr uint32_t VIRTIO_CONSOLE_F_SIZE = 0;         // cols and rows are valid
inline constexpr uint32_t VIRTIO_CONSOLE_F_MULTIPORT = 1;    // not offered: one port, no control queues
inline constexpr uint32_t VIRTIO_CONSOLE_F_EMERG_WRITE = 2;  // not offered: emerg_wr is ignored

// 5.3.2 Virtqueues without VIRTIO_CONSOLE_F_MULTIPORT.
inline constexpr uint16_t kConsoleReceiveQueue = 0;   // receiveq0: host -> guest
inline constexpr uint16_t kConsoleTransmitQueue = 1;  // transmitq0: guest -> host

// 5.3.4 Device configuration layout.
struct VirtioConsoleConfig {
    uint16_t cols;          // 0x0: valid with VIRTIO_CONSOLE_F_SIZE
    uint16_t rows;          // 0x2: valid with VIRTIO_CONSOLE_F_SIZE
    uint32_t max_nr_ports;  // 0x4: valid with VIRTIO_CONSOLE_F_MULTIPORT
    uint32_t emerg_wr;      // 0x8: valid with VIRTIO_CONSOLE_F_EMERG_WRITE (write-only)
};
static_assert(sizeof(VirtioConsoleConfig) == 12 && std::is_standard_layout_v<VirtioConsoleConfig> &&
              std::is_trivially_copyable_v<VirtioConsoleConfig>);
static_assert(offsetof(VirtioConsoleConfig, rows) == 2 && offsetof(VirtioConsoleConfig, max_nr_ports) == 4 &&
              offsetof(VirtioConsoleConfig, emerg_wr) == 8);

}  // namespace cw::devices::virtio
