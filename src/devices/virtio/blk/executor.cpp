#include "devices/virtio/blk/executor.h"

#include <algorithm>

#include "devices/virtio/queue/chain_io.h"

namespace cw::devices::virtio {

namespace {

uint64_t byte_offset(uint64_t sector) { return sector << kSectorShift; }

}  // namespace

Completion RequestExecutor::execute(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request) {
    auto data = run(mem, chain, request);
    Completion done;
    if (!data.ok()) {
        done.status = VIRTIO_BLK_S_IOERR;
        done.host_error = std::move(data).error();
    }
    const Completion answered = answer(mem, chain, request.status_offset, done.status);
    // A failed IN may have filled part of the buffers; only the status byte is promised.
    if (answered.used_len != 0 && done.status == VIRTIO_BLK_S_OK)
        done.used_len = data.value() + answered.used_len;
    else
        done.used_len = answered.used_len;
    return done;
}

Completion RequestExecutor::answer(vmm::GuestMemory& mem, const DescriptorChain& chain, uint32_t status_offset,
                                   uint8_t status) {
    ChainWriter writer(mem, chain);
    // The chain was validated and status_offset < writable_len, so this cannot fail; if it
    // did, the chain goes back with nothing written.
    if (!writer.skip(status_offset).ok() || !writer.write_obj(status).ok())
        return {.status = status, .used_len = 0, .host_error = std::nullopt};
    return {.status = status, .used_len = 1, .host_error = std::nullopt};
}

Result<uint32_t> RequestExecutor::run(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request) {
    switch (request.type) {
    case RequestType::In:
        CW_TRY(read(mem, chain, request));
        return request.data_len;
    case RequestType::Out:
        CW_TRY(write(mem, chain, request));
        return 0U;
    case RequestType::Flush:
        CW_TRY(m_disk.flush());
        return 0U;
    case RequestType::GetId:
        return get_id(mem, chain, request);
    case RequestType::Discard:
        CW_TRY(discard(request));
        return 0U;
    case RequestType::WriteZeroes:
        CW_TRY(write_zeroes(request));
        return 0U;
    }
    return Error::msg("virtio-blk: unknown request type");  // unreachable: the enum is closed
}

// preadv straight into the chain's writable buffers (all but the status byte).
Result<void> RequestExecutor::read(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request) {
    m_iov.clear();
    ChainWriter writer(mem, chain);
    for (size_t left = request.data_len; left > 0;) {
        const std::span<uint8_t> slice = CW_TRY(writer.next_slice(left));
        if (slice.empty())
            return Error::msg("virtio-blk: chain shorter than its read data");
        m_iov.push_back({slice.data(), slice.size()});
        left -= slice.size();
    }
    return m_disk.read_vectored(byte_offset(request.sector), m_iov);
}

// pwritev straight out of the chain's readable buffers after the header.
Result<void> RequestExecutor::write(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request) {
    m_iov.clear();
    ChainReader reader(mem, chain);
    CW_TRY(reader.skip(sizeof(VirtioBlkOuthdr)));
    for (size_t left = request.data_len; left > 0;) {
        const std::span<const uint8_t> slice = CW_TRY(reader.next_slice(left));
        if (slice.empty())
            return Error::msg("virtio-blk: chain shorter than its write data");
        // iovec has no const variant; pwritev only reads through it.
        m_iov.push_back({const_cast<uint8_t*>(slice.data()), slice.size()});
        left -= slice.size();
    }
    return m_disk.write_vectored(byte_offset(request.sector), m_iov);
}

Result<uint32_t> RequestExecutor::get_id(vmm::GuestMemory& mem, const DescriptorChain& chain,
                                         const Request& request) const {
    const uint32_t n = std::min(request.data_len, VIRTIO_BLK_ID_BYTES);
    ChainWriter writer(mem, chain);
    CW_TRY(writer.write(std::as_bytes(std::span(m_id).first(n))));
    return n;
}

Result<void> RequestExecutor::discard(const Request& request) {
    for (const auto& r : request.ranges)
        CW_TRY(m_disk.punch_hole(byte_offset(r.sector), byte_offset(r.num_sectors)));
    return {};
}

// With UNMAP the driver allows deallocation: a punched hole reads as zeroes too.
Result<void> RequestExecutor::write_zeroes(const Request& request) {
    for (const auto& r : request.ranges) {
        const bool unmap = (r.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) != 0 && m_disk.supports_punch_hole();
        if (unmap)
            CW_TRY(m_disk.punch_hole(byte_offset(r.sector), byte_offset(r.num_sectors)));
        else
            CW_TRY(m_disk.write_zeroes(byte_offset(r.sector), byte_offset(r.num_sectors)));
    }
    return {};
}

}  // namespace cw::devices::virtio
