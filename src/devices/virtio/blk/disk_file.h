// The host file behind a virtio-blk device: a raw image, opened once, read and written at
// byte offsets that the caller has already checked against size(). Every error names the
// path and the failing system call.
//
// Only the device's worker thread uses a DiskFile after activation; it is not
// synchronised.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::devices::virtio {

class DiskFile {
public:
    // Opens `path` O_RDWR (or O_RDONLY). Refuses anything that is not a regular file or a
    // block device and a size that is not a multiple of 512 (the guest's sector size).
    [[nodiscard]] static Result<DiskFile> open(const std::string& path, bool read_only);

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] uint64_t size() const { return m_size; }
    [[nodiscard]] bool read_only() const { return m_read_only; }
    // Whether fallocate(PUNCH_HOLE) works on this file (probed at open; false when read-only).
    [[nodiscard]] bool supports_punch_hole() const { return m_punch_hole; }

    // Fill all of `iov` from / write all of it to `offset` (short transfers are continued;
    // EINTR is retried). `iov` is consumed: its entries are advanced in place.
    [[nodiscard]] Result<void> read_vectored(uint64_t offset, std::span<iovec> iov) const;
    [[nodiscard]] Result<void> write_vectored(uint64_t offset, std::span<iovec> iov) const;
    [[nodiscard]] Result<void> flush() const;  // fdatasync
    // Deallocates [offset, offset + len) keeping the size; reads then return zeroes.
    [[nodiscard]] Result<void> punch_hole(uint64_t offset, uint64_t len) const;
    // Makes [offset, offset + len) read as zeroes: FALLOC_FL_ZERO_RANGE where the file
    // system has it, else by writing zeroes.
    [[nodiscard]] Result<void> write_zeroes(uint64_t offset, uint64_t len);

private:
    DiskFile(std::string path, UniqueFd fd, uint64_t size, bool read_only)
        : m_path(std::move(path)), m_fd(std::move(fd)), m_size(size), m_read_only(read_only) {}
    [[nodiscard]] Error fail(const std::string& step) const;
    bool probe_punch_hole() const;
    Result<void> write_zeroes_slow(uint64_t offset, uint64_t len) const;

    std::string m_path;
    UniqueFd m_fd;
    uint64_t m_size = 0;
    bool m_read_only = false;
    bool m_punch_hole = false;
    bool m_zero_range = true;  // until the file system says EOPNOTSUPP once
};

}  // namespace cw::devices::virtio
