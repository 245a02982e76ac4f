// Turns a validated DescriptorChain into a virtio-blk request the device can execute
// (VIRTIO 1.2, 5.2.6), or into the status it must answer with. Pure: reads guest memory,
// never the disk. Everything the guest controls is copied into the Request first (header,
// discard ranges) and checked there, so later guest writes change nothing.
//
// Chain layout, as Linux's virtio_blk builds it:
//   readable:  virtio_blk_outhdr (16 bytes), then OUT data or DISCARD/WRITE_ZEROES ranges
//   writable:  IN data or the GET_ID buffer, then the status byte, last
// A chain without a writable byte cannot be answered at all (RequestOutcome::Unanswerable):
// the device returns it with used length 0.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "devices/virtio/blk/blk_spec.h"
#include "devices/virtio/queue/descriptor_chain.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

// What the parser checks requests against: the disk and the negotiated features.
struct RequestLimits {
    uint64_t capacity_sectors = 0;
    bool read_only = false;
    bool discard = false;       // VIRTIO_BLK_F_DISCARD negotiated
    bool write_zeroes = false;  // VIRTIO_BLK_F_WRITE_ZEROES negotiated
    uint32_t max_discard_sectors = 0;
    uint32_t max_discard_seg = 0;
    uint32_t max_write_zeroes_sectors = 0;
    uint32_t max_write_zeroes_seg = 0;
};

enum class RequestType { In, Out, Flush, GetId, Discard, WriteZeroes };

// A request that passed every check: its ranges lie inside the disk.
struct Request {
    RequestType type = RequestType::Flush;
    uint64_t sector = 0;     // IN, OUT
    uint32_t data_len = 0;   // IN, OUT: a multiple of 512; GET_ID: the writable bytes before the status
    uint32_t status_offset = 0;  // offset of the status byte in the writable part
    std::vector<VirtioBlkDiscardWriteZeroes> ranges;  // DISCARD, WRITE_ZEROES
};

// A request answered without touching the disk.
struct Rejected {
    uint8_t status = VIRTIO_BLK_S_IOERR;  // IOERR or UNSUPP
    uint32_t status_offset = 0;
    std::string why;  // for the device's (rate-limited) log
};

// No writable byte for the status: nothing can be answered.
struct Unanswerable {
    std::string why;
};

using RequestOutcome = std::variant<Request, Rejected, Unanswerable>;

[[nodiscard]] RequestOutcome parse_request(const vmm::GuestMemory& mem, const DescriptorChain& chain,
                                           const RequestLimits& limits);

}  // namespace cw::devices::virtio
