// Moving vsock packets between virtqueue chains and the device (VIRTIO 1.2, 5.10.6).
//
// Guest to host (tx queue): the header is copied out of guest memory once and checked
// against the device's view of the world; the payload stays in guest memory and is
// streamed from the same ChainReader straight to a host socket. A chain too short for a
// header carries no addresses to answer, so the caller drops it; any other fault is
// answered with RST by the caller (PacketFault says why).
//
// Host to guest (rx queue): RxPacketWriter reserves the header, hands out the chain's
// writable buffers for readv() straight from a host socket, then writes the header with
// the final length. The guest's driver (Linux virtio_transport) accepts any split of
// header and payload across descriptors.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <span>

#include "base/result.h"
#include "devices/virtio/queue/chain_io.h"
#include "devices/virtio/queue/descriptor_chain.h"
#include "devices/virtio/vsock/vsock_spec.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

inline constexpr size_t kVsockHdrSize = sizeof(VirtioVsockHdr);

enum class PacketFault {
    None,
    WrongSrcCid,   // src_cid is not the guest's CID
    WrongDstCid,   // dst_cid is not the host (2)
    WrongType,     // not VIRTIO_VSOCK_TYPE_STREAM
    LenMismatch,   // len differs from the payload bytes in the chain
    UnknownOp,     // op outside REQUEST..CREDIT_REQUEST
};
[[nodiscard]] const char* describe(PacketFault fault);

// Copies the header out of a tx chain; fails when fewer than 44 readable bytes exist.
// Leaves `reader` at the first payload byte.
[[nodiscard]] Result<VirtioVsockHdr> read_tx_header(ChainReader& reader);

// Checks a copied header; `payload_len` is the chain's readable bytes after the header.
[[nodiscard]] PacketFault check_tx_header(const VirtioVsockHdr& hdr, uint64_t guest_cid, size_t payload_len);

class RxPacketWriter {
public:
    // Fails when the chain has fewer than 44 writable bytes (no room for a header).
    [[nodiscard]] static Result<RxPacketWriter> begin(vmm::GuestMemory& mem, const DescriptorChain& chain);

    // Payload room left in the chain.
    [[nodiscard]] size_t payload_room() const { return m_payload.remaining(); }
    // Fills `out` with views of the next payload bytes, at most `max_len` in total; returns
    // how many entries it filled. The bytes count as payload only once finish() says so.
    [[nodiscard]] Result<size_t> payload_iovecs(size_t max_len, std::span<iovec> out);
    // Copies `data` as payload (control packets carry none; tests and small payloads).
    [[nodiscard]] Result<void> write_payload(std::span<const uint8_t> data);
    // Writes `hdr` (whose len must be the payload actually produced) at the start of the
    // chain; returns the used length, 44 + len.
    [[nodiscard]] Result<uint32_t> finish(const VirtioVsockHdr& hdr);

private:
    RxPacketWriter(vmm::GuestMemory& mem, const DescriptorChain& chain)
        : m_mem(mem), m_chain(chain), m_payload(mem, chain) {}
    vmm::GuestMemory& m_mem;
    const DescriptorChain& m_chain;
    ChainWriter m_payload;  // positioned after the header
};

}  // namespace cw::devices::virtio
