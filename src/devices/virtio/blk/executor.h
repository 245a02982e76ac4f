// Runs parsed virtio-blk requests against the DiskFile and answers them in the chain:
// data moves straight between the file and guest RAM (preadv into the chain's writable
// buffers, pwritev out of its readable ones; no bounce buffer), then the status byte is
// written last. The request's ranges were checked by parse_request(), so nothing here can
// reach outside [0, disk size).
#pragma once

#include <sys/uio.h>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "devices/virtio/blk/blk_spec.h"
#include "devices/virtio/blk/disk_file.h"
#include "devices/virtio/blk/request.h"
#include "devices/virtio/queue/descriptor_chain.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

// How a chain goes back to the driver.
struct Completion {
    uint8_t status = VIRTIO_BLK_S_OK;
    // The used ring's len: IN data + status, GET_ID bytes + status, else the status byte;
    // 0 when not even the status could be written.
    uint32_t used_len = 0;
    std::optional<Error> host_error;  // the file failed (status IOERR): for the log
};

using BlkId = std::array<uint8_t, VIRTIO_BLK_ID_BYTES>;  // NUL-padded serial

class RequestExecutor {
public:
    RequestExecutor(DiskFile& disk, BlkId id) : m_disk(disk), m_id(id) {}

    // Executes `request` (parsed from `chain`) and writes its status byte.
    [[nodiscard]] Completion execute(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request);
    // Answers a rejected request: writes only the status byte.
    [[nodiscard]] static Completion answer(vmm::GuestMemory& mem, const DescriptorChain& chain,
                                           uint32_t status_offset, uint8_t status);

private:
    // Runs the request; returns the data bytes written into the chain before the status.
    Result<uint32_t> run(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request);
    Result<void> read(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request);
    Result<void> write(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request);
    Result<uint32_t> get_id(vmm::GuestMemory& mem, const DescriptorChain& chain, const Request& request) const;
    Result<void> discard(const Request& request);
    Result<void> write_zeroes(const Request& request);

    DiskFile& m_disk;
    const BlkId m_id;
    std::vector<iovec> m_iov;  // reused between requests: at most one entry per chain segment
};

}  // namespace cw::devices::virtio
