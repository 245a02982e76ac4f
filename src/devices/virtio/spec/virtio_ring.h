// Split virtqueue wire format: VIRTIO 1.2, section 2.7 (the kernel's
// include/uapi/linux/virtio_ring.h has the same layout). Declared once here; the rest of
// the VMM reads and writes rings only through these types and offsets.
//
// Every field is little-endian (2.4 "virtio 1.x is little-endian"); the VMM only runs on
// little-endian hosts, so plain integer fields are the wire layout (checked below).
// Do not include the kernel's <linux/virtio_*.h> beside these headers: their macros have
// the same names as these constants.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cw::devices::virtio {

static_assert(std::endian::native == std::endian::little, "virtio wire formats assume a little-endian host");

// 2.7.5 The Virtqueue Descriptor Table.
inline constexpr uint16_t VIRTQ_DESC_F_NEXT = 1;      // the buffer continues via `next`
inline constexpr uint16_t VIRTQ_DESC_F_WRITE = 2;     // device-writable (else device-readable)
inline constexpr uint16_t VIRTQ_DESC_F_INDIRECT = 4;  // the buffer holds a descriptor table (2.7.5.3)

struct VirtqDesc {
    uint64_t addr;   // 0x0: guest-physical address of the buffer
    uint32_t len;    // 0x8: length in bytes
    uint16_t flags;  // 0xc: VIRTQ_DESC_F_*
    uint16_t next;   // 0xe: next descriptor when flags & NEXT
};
static_assert(sizeof(VirtqDesc) == 16 && std::is_standard_layout_v<VirtqDesc>);
static_assert(offsetof(VirtqDesc, len) == 8 && offsetof(VirtqDesc, flags) == 12 && offsetof(VirtqDesc, next) == 14);

// 2.7.6 The Virtqueue Available Ring:
//   le16 flags; le16 idx; le16 ring[Queue Size]; le16 used_event (only with VIRTIO_F_EVENT_IDX)
inline constexpr uint16_t VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
inline constexpr uint64_t kAvailFlagsOffset = 0;
inline constexpr uint64_t kAvailIdxOffset = 2;
inline constexpr uint64_t kAvailRingOffset = 4;
inline constexpr uint64_t kAvailElemSize = 2;

// 2.7.8 The Virtqueue Used Ring:
//   le16 flags; le16 idx; struct virtq_used_elem ring[Queue Size]; le16 avail_event (EVENT_IDX)
inline constexpr uint16_t VIRTQ_USED_F_NO_NOTIFY = 1;
inline constexpr uint64_t kUsedFlagsOffset = 0;
inline constexpr uint64_t kUsedIdxOffset = 2;
inline constexpr uint64_t kUsedRingOffset = 4;

struct VirtqUsedElem {
    uint32_t id;   // 0x0: head index of the used descriptor chain (le32 for padding reasons)
    uint32_t len;  // 0x4: bytes written into the chain's device-writable buffers
};
static_assert(sizeof(VirtqUsedElem) == 8 && std::is_standard_layout_v<VirtqUsedElem>);

// 2.7 table "Virtqueue Part / Alignment / Size".
inline constexpr uint64_t kDescTableAlign = 16;
inline constexpr uint64_t kAvailRingAlign = 2;
inline constexpr uint64_t kUsedRingAlign = 4;
// 2.7: "The maximum Queue Size value is 32768"; split queue sizes are powers of two.
inline constexpr uint32_t kMaxQueueSize = 32768;

// Byte sizes of the three parts for `queue_size` entries; the trailing event field
// (used_event / avail_event) exists when VIRTIO_F_EVENT_IDX was negotiated (2.7.7, 2.7.10).
[[nodiscard]] constexpr uint64_t desc_table_size(uint64_t queue_size) { return sizeof(VirtqDesc) * queue_size; }
[[nodiscard]] constexpr uint64_t avail_ring_size(uint64_t queue_size, bool event_idx) {
    return kAvailRingOffset + kAvailElemSize * queue_size + (event_idx ? 2 : 0);
}
[[nodiscard]] constexpr uint64_t used_ring_size(uint64_t queue_size, bool event_idx) {
    return kUsedRingOffset + sizeof(VirtqUsedElem) * queue_size + (event_idx ? 2 : 0);
}
// Offsets of the event fields, right after each ring's last entry.
[[nodiscard]] constexpr uint64_t used_event_offset(uint64_t queue_size) { return kAvailRingOffset + kAvailElemSize * queue_size; }
[[nodiscard]] constexpr uint64_t avail_event_offset(uint64_t queue_size) {
    return kUsedRingOffset + sizeof(VirtqUsedElem) * queue_size;
}
static_assert(avail_ring_size(256, true) == 6 + 2 * 256 && used_ring_size(256, true) == 6 + 8 * 256);

// 2.7.10 (and the kernel's vring_need_event): true when moving the index from `old_idx`
// to `new_idx` passes `event_idx`, i.e. event_idx is in [old_idx, new_idx) modulo 2^16.
[[nodiscard]] constexpr bool vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx) {
    return static_cast<uint16_t>(new_idx - event_idx - 1) < static_cast<uint16_t>(new_idx - old_idx);
}
static_assert(vring_need_event(0, 1, 0) && !vring_need_event(1, 1, 0) && vring_need_event(0xffff, 0, 0xfffe));

}  // namespace cw::devices::virtio
