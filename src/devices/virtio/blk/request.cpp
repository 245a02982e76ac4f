#include "devices/virtio/blk/request.h"

#include <utility>

#include "devices/virtio/queue/chain_io.h"

namespace cw::devices::virtio {

namespace {

// [sector, sector + sectors) inside a disk of `capacity` sectors, without overflow.
bool in_disk(uint64_t sector, uint64_t sectors, uint64_t capacity) {
    return sector <= capacity && sectors <= capacity - sector;
}

class Parser {
public:
    Parser(const vmm::GuestMemory& mem, const DescriptorChain& chain, const RequestLimits& limits)
        : m_limits(limits), m_reader(mem, chain),
          m_status_offset(chain.writable_len() - 1) {}

    RequestOutcome parse() {
        auto header = m_reader.read_obj<VirtioBlkOuthdr>();
        if (!header.ok())
            return reject(VIRTIO_BLK_S_IOERR, "header shorter than 16 bytes");
        const VirtioBlkOuthdr hdr = header.value();  // a copy: the guest may change its own
        switch (hdr.type) {
        case VIRTIO_BLK_T_IN:
            // Every writable byte before the status is read data.
            return data_request(RequestType::In, hdr.sector, m_status_offset);
        case VIRTIO_BLK_T_OUT:
            if (m_limits.read_only)
                return reject(VIRTIO_BLK_S_IOERR, "write to a read-only disk");
            return data_request(RequestType::Out, hdr.sector, static_cast<uint32_t>(m_reader.remaining()));
        case VIRTIO_BLK_T_FLUSH:
            return Request{.type = RequestType::Flush, .status_offset = m_status_offset, .ranges = {}};
        case VIRTIO_BLK_T_GET_ID:
            // A buffer shorter than the 20-byte serial gets what fits.
            return Request{.type = RequestType::GetId, .data_len = m_status_offset, .status_offset = m_status_offset, .ranges = {}};
        case VIRTIO_BLK_T_DISCARD:
            if (!m_limits.discard)
                return reject(VIRTIO_BLK_S_UNSUPP, "discard not negotiated");
            return range_request(RequestType::Discard, m_limits.max_discard_seg, m_limits.max_discard_sectors, 0);
        case VIRTIO_BLK_T_WRITE_ZEROES:
            if (!m_limits.write_zeroes)
                return reject(VIRTIO_BLK_S_UNSUPP, "write zeroes not negotiated");
            return range_request(RequestType::WriteZeroes, m_limits.max_write_zeroes_seg,
                                 m_limits.max_write_zeroes_sectors, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
        default:
            return reject(VIRTIO_BLK_S_UNSUPP, "unknown request type " + std::to_string(hdr.type));
        }
    }

private:
    Rejected reject(uint8_t status, std::string why) const { return {status, m_status_offset, std::move(why)}; }

    RequestOutcome data_request(RequestType type, uint64_t sector, uint32_t len) const {
        if (len % kSectorSize != 0)
            return reject(VIRTIO_BLK_S_IOERR, "data length " + std::to_string(len) + " is not a multiple of 512");
        if (!in_disk(sector, len >> kSectorShift, m_limits.capacity_sectors))
            return reject(VIRTIO_BLK_S_IOERR, "sector " + std::to_string(sector) + " + " + std::to_string(len) +
                                                  " bytes is past the end of the disk");
        return Request{.type = type, .sector = sector, .data_len = len, .status_offset = m_status_offset, .ranges = {}};
    }

    // DISCARD / WRITE_ZEROES: the readable bytes after the header are 16-byte ranges.
    RequestOutcome range_request(RequestType type, uint32_t max_seg, uint32_t max_sectors, uint32_t allowed_flags) {
        if (m_limits.read_only)
            return reject(VIRTIO_BLK_S_IOERR, "discard or write zeroes on a read-only disk");
        const size_t payload = m_reader.remaining();
        constexpr size_t kRangeSize = sizeof(VirtioBlkDiscardWriteZeroes);
        if (payload == 0 || payload % kRangeSize != 0)
            return reject(VIRTIO_BLK_S_IOERR, "range list of " + std::to_string(payload) + " bytes");
        // Checked before anything is allocated: the count is guest-controlled.
        if (payload / kRangeSize > max_seg)
            return reject(VIRTIO_BLK_S_IOERR, std::to_string(payload / kRangeSize) + " ranges, more than seg max");
        Request request{.type = type, .status_offset = m_status_offset, .ranges = {}};
        request.ranges.reserve(payload / kRangeSize);
        while (m_reader.remaining() > 0) {
            auto range = m_reader.read_obj<VirtioBlkDiscardWriteZeroes>();
            if (!range.ok())  // cannot happen: remaining() is a multiple of 16
                return reject(VIRTIO_BLK_S_IOERR, "range list unreadable");
            const VirtioBlkDiscardWriteZeroes r = range.value();
            if ((r.flags & ~allowed_flags) != 0)
                return reject(VIRTIO_BLK_S_UNSUPP, "range flags " + std::to_string(r.flags));
            if (r.num_sectors > max_sectors)
                return reject(VIRTIO_BLK_S_IOERR, "range of " + std::to_string(r.num_sectors) + " sectors");
            if (!in_disk(r.sector, r.num_sectors, m_limits.capacity_sectors))
                return reject(VIRTIO_BLK_S_IOERR, "range at sector " + std::to_string(r.sector) + " past the end");
            request.ranges.push_back(r);
        }
        return request;
    }

    const RequestLimits& m_limits;
    ChainReader m_reader;
    const uint32_t m_status_offset;
};

}  // namespace

RequestOutcome parse_request(const vmm::GuestMemory& mem, const DescriptorChain& chain, const RequestLimits& limits) {
    if (chain.writable_len() == 0)
        return Unanswerable{"no writable byte for the status"};
    return Parser(mem, chain, limits).parse();
}

}  // namespace cw::devices::virtio
