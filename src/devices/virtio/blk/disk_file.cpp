#include "devices/virtio/blk/disk_file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>

#include "devices/virtio/blk/blk_spec.h"

namespace cw::devices::virtio {

namespace {

// Drops the first `n` transferred bytes from `iov` (and any empty entries at its front).
void consume(std::span<iovec>& iov, size_t n) {
    while (!iov.empty() && (n > 0 || iov.front().iov_len == 0)) {
        iovec& first = iov.front();
        if (n >= first.iov_len) {
            n -= first.iov_len;
            iov = iov.subspan(1);
            continue;
        }
        first.iov_base = static_cast<uint8_t*>(first.iov_base) + n;
        first.iov_len -= n;
        n = 0;
    }
}

int iov_count(std::span<const iovec> iov) { return static_cast<int>(std::min<size_t>(iov.size(), IOV_MAX)); }

// Offsets reach the system calls only after the caller checked them against size(),
// which came from st_size (an off_t), so the conversion cannot overflow.
off_t to_off(uint64_t offset) { return static_cast<off_t>(offset); }

}  // namespace

Result<DiskFile> DiskFile::open(const std::string& path, bool read_only) {
    // O_NONBLOCK so that a FIFO given by mistake cannot block open(); it is refused below
    // and the flag is cleared for the disk.
    const int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return Error::sys("disk " + path + ": open");
    UniqueFd owned(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return Error::sys("disk " + path + ": fstat");
    uint64_t size = 0;
    if (S_ISREG(st.st_mode)) {
        size = static_cast<uint64_t>(st.st_size);
    } else if (S_ISBLK(st.st_mode)) {
        if (::ioctl(fd, BLKGETSIZE64, &size) != 0)
            return Error::sys("disk " + path + ": BLKGETSIZE64");
    } else {
        return Error::msg("disk " + path + ": not a regular file or block device");
    }
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        return Error::sys("disk " + path + ": fcntl F_SETFL");
    if (size % kSectorSize != 0)
        return Error::msg("disk " + path + ": size " + std::to_string(size) + " is not a multiple of 512 bytes");
    DiskFile disk(path, std::move(owned), size, read_only);
    disk.m_punch_hole = !read_only && disk.probe_punch_hole();
    return disk;
}

Error DiskFile::fail(const std::string& step) const {
    const int err = errno;  // before building the message
    return Error::sys("disk " + m_path + ": " + step, err);
}

// Punching a hole past the end of the file changes nothing, but fails with EOPNOTSUPP
// where the file system cannot punch holes at all.
bool DiskFile::probe_punch_hole() const {
    return ::fallocate(m_fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, to_off(m_size),
                       static_cast<off_t>(kSectorSize)) == 0;
}

Result<void> DiskFile::read_vectored(uint64_t offset, std::span<iovec> iov) const {
    consume(iov, 0);
    while (!iov.empty()) {
        const ssize_t n = ::preadv(m_fd.get(), iov.data(), iov_count(iov), to_off(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail("preadv at " + std::to_string(offset));
        if (n == 0)  // the file shrank behind our back
            return Error::msg("disk " + m_path + ": preadv at " + std::to_string(offset) + ": unexpected end of file");
        offset += static_cast<uint64_t>(n);
        consume(iov, static_cast<size_t>(n));
    }
    return {};
}

Result<void> DiskFile::write_vectored(uint64_t offset, std::span<iovec> iov) const {
    consume(iov, 0);
    while (!iov.empty()) {
        const ssize_t n = ::pwritev(m_fd.get(), iov.data(), iov_count(iov), to_off(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail("pwritev at " + std::to_string(offset));
        if (n == 0)
            return Error::msg("disk " + m_path + ": pwritev at " + std::to_string(offset) + ": wrote nothing");
        offset += static_cast<uint64_t>(n);
        consume(iov, static_cast<size_t>(n));
    }
    return {};
}

Result<void> DiskFile::flush() const {
    while (::fdatasync(m_fd.get()) != 0) {
        if (errno != EINTR)
            return fail("fdatasync");
    }
    return {};
}

Result<void> DiskFile::punch_hole(uint64_t offset, uint64_t len) const {
    if (len == 0)
        return {};
    if (::fallocate(m_fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, to_off(offset), to_off(len)) != 0)
        return fail("fallocate PUNCH_HOLE at " + std::to_string(offset));
    return {};
}

Result<void> DiskFile::write_zeroes(uint64_t offset, uint64_t len) {
    if (len == 0)
        return {};
    if (m_zero_range) {
        if (::fallocate(m_fd.get(), FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, to_off(offset), to_off(len)) == 0)
            return {};
        if (errno != EOPNOTSUPP)
            return fail("fallocate ZERO_RANGE at " + std::to_string(offset));
        m_zero_range = false;  // e.g. tmpfs: write zeroes from now on
    }
    return write_zeroes_slow(offset, len);
}

Result<void> DiskFile::write_zeroes_slow(uint64_t offset, uint64_t len) const {
    static const std::array<uint8_t, 64 * 1024> kZeroes{};
    while (len > 0) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(len, kZeroes.size()));
        const ssize_t n = ::pwrite(m_fd.get(), kZeroes.data(), chunk, to_off(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail("pwrite zeroes at " + std::to_string(offset));
        if (n == 0)
            return Error::msg("disk " + m_path + ": pwrite zeroes at " + std::to_string(offset) + ": wrote nothing");
        offset += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace cw::devices::virtio
