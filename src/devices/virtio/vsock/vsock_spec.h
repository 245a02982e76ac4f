// virtio-vsock wire format: VIRTIO 1.2, section 5.10 (the kernel's
// include/uapi/linux/virtio_vsock.h has the same layout). Declared once here; the device
// reads and writes packets only through these types.
//
// Every field is little-endian; the VMM only runs on little-endian hosts (virtio_ring.h
// asserts it), so plain integer fields are the wire layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "devices/virtio/spec/virtio_ring.h"

namespace cw::devices::virtio {

// 5.10.2 Virtqueues.
inline constexpr uint16_t kVsockRxQueue = 0;
inline constexpr uint16_t kVsockTxQueue = 1;
inline constexpr uint16_t kVsockEventQueue = 2;

// 5.10.4 Device configuration layout: le64 guest_cid. CIDs 0-2 are reserved; 2 is the host.
inline constexpr uint64_t VMADDR_CID_HOST = 2;
inline constexpr uint64_t kVsockMinGuestCid = 3;
struct VirtioVsockConfig {
    uint64_t guest_cid;  // 0x0
};
static_assert(sizeof(VirtioVsockConfig) == 8 && std::is_standard_layout_v<VirtioVsockConfig>);

// 5.10.6 Device Operation: the packet header, followed by `len` payload bytes.
inline constexpr uint16_t VIRTIO_VSOCK_TYPE_STREAM = 1;

inline constexpr uint16_t VIRTIO_VSOCK_OP_INVALID = 0;
inline constexpr uint16_t VIRTIO_VSOCK_OP_REQUEST = 1;
inline constexpr uint16_t VIRTIO_VSOCK_OP_RESPONSE = 2;
inline constexpr uint16_t VIRTIO_VSOCK_OP_RST = 3;
inline constexpr uint16_t VIRTIO_VSOCK_OP_SHUTDOWN = 4;
inline constexpr uint16_t VIRTIO_VSOCK_OP_RW = 5;
inline constexpr uint16_t VIRTIO_VSOCK_OP_CREDIT_UPDATE = 6;
inline constexpr uint16_t VIRTIO_VSOCK_OP_CREDIT_REQUEST = 7;

// Flags of OP_SHUTDOWN, from the sender's point of view.
inline constexpr uint32_t VIRTIO_VSOCK_SHUTDOWN_RCV = 1;   // the sender will receive no more
inline constexpr uint32_t VIRTIO_VSOCK_SHUTDOWN_SEND = 2;  // the sender will send no more
inline constexpr uint32_t VIRTIO_VSOCK_SHUTDOWN_MASK = VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND;

#pragma pack(push, 1)
struct VirtioVsockHdr {
    uint64_t src_cid;    // 0x00
    uint64_t dst_cid;    // 0x08
    uint32_t src_port;   // 0x10
    uint32_t dst_port;   // 0x14
    uint32_t len;        // 0x18: payload bytes after the header
    uint16_t type;       // 0x1c: VIRTIO_VSOCK_TYPE_*
    uint16_t op;         // 0x1e: VIRTIO_VSOCK_OP_*
    uint32_t flags;      // 0x20: VIRTIO_VSOCK_SHUTDOWN_* for OP_SHUTDOWN
    uint32_t buf_alloc;  // 0x24: the sender's receive buffer size (credit)
    uint32_t fwd_cnt;    // 0x28: bytes the sender's receiver has consumed (free-running)
};
#pragma pack(pop)
static_assert(sizeof(VirtioVsockHdr) == 44 && std::is_standard_layout_v<VirtioVsockHdr> &&
              std::is_trivially_copyable_v<VirtioVsockHdr>);
static_assert(offsetof(VirtioVsockHdr, dst_cid) == 0x08 && offsetof(VirtioVsockHdr, src_port) == 0x10 &&
              offsetof(VirtioVsockHdr, len) == 0x18 && offsetof(VirtioVsockHdr, type) == 0x1c &&
              offsetof(VirtioVsockHdr, op) == 0x1e && offsetof(VirtioVsockHdr, flags) == 0x20 &&
              offsetof(VirtioVsockHdr, buf_alloc) == 0x24 && offsetof(VirtioVsockHdr, fwd_cnt) == 0x28);

// 5.10.6.4 Device Events: le32 id, on the event queue.
inline constexpr uint32_t VIRTIO_VSOCK_EVENT_TRANSPORT_RESET = 0;
struct VirtioVsockEvent {
    uint32_t id;  // 0x0
};
static_assert(sizeof(VirtioVsockEvent) == 4 && std::is_standard_layout_v<VirtioVsockEvent>);

}  // namespace cw::devices::virtio
