#include "devices/virtio/vsock/packet.h"

#include <string>

namespace cw::devices::virtio {

const char* describe(PacketFault fault) {
    switch (fault) {
    case PacketFault::None: return "valid";
    case PacketFault::WrongSrcCid: return "source CID is not the guest's";
    case PacketFault::WrongDstCid: return "destination CID is not the host";
    case PacketFault::WrongType: return "socket type is not stream";
    case PacketFault::LenMismatch: return "len does not match the payload";
    case PacketFault::UnknownOp: return "unknown op";
    }
    return "unknown fault";
}

Result<VirtioVsockHdr> read_tx_header(ChainReader& reader) {
    return reader.read_obj<VirtioVsockHdr>().context("vsock tx: packet header");
}

PacketFault check_tx_header(const VirtioVsockHdr& hdr, uint64_t guest_cid, size_t payload_len) {
    if (hdr.src_cid != guest_cid)
        return PacketFault::WrongSrcCid;
    if (hdr.dst_cid != VMADDR_CID_HOST)
        return PacketFault::WrongDstCid;
    if (hdr.type != VIRTIO_VSOCK_TYPE_STREAM)
        return PacketFault::WrongType;
    if (hdr.op < VIRTIO_VSOCK_OP_REQUEST || hdr.op > VIRTIO_VSOCK_OP_CREDIT_REQUEST)
        return PacketFault::UnknownOp;
    if (hdr.len != payload_len)
        return PacketFault::LenMismatch;
    return PacketFault::None;
}

Result<RxPacketWriter> RxPacketWriter::begin(vmm::GuestMemory& mem, const DescriptorChain& chain) {
    RxPacketWriter writer(mem, chain);
    CW_TRY(writer.m_payload.skip(kVsockHdrSize).context("vsock rx: room for the header"));
    return writer;
}

Result<size_t> RxPacketWriter::payload_iovecs(size_t max_len, std::span<iovec> out) {
    size_t filled = 0;
    while (filled < out.size() && max_len > 0) {
        auto slice = CW_TRY(m_payload.next_slice(max_len));
        if (slice.empty())
            break;
        out[filled++] = iovec{slice.data(), slice.size()};
        max_len -= slice.size();
    }
    return filled;
}

Result<void> RxPacketWriter::write_payload(std::span<const uint8_t> data) {
    return m_payload.write(std::as_bytes(data));
}

Result<uint32_t> RxPacketWriter::finish(const VirtioVsockHdr& hdr) {
    ChainWriter head(m_mem, m_chain);
    CW_TRY(head.write_obj(hdr).context("vsock rx: writing the header"));
    // len <= the chain's writable length, which the chain proved fits in 32 bits.
    return static_cast<uint32_t>(kVsockHdrSize + hdr.len);
}

}  // namespace cw::devices::virtio
