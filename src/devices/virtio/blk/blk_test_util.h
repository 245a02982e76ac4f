// Test support for the virtio-blk tests: temporary image files under $TMPDIR and request
// headers as guest bytes.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "devices/virtio/blk/blk_spec.h"

namespace cw::devices::virtio::test {

// A zero-filled temporary file of `size` bytes (mkstemp in $TMPDIR), removed on destruction.
class TempDisk {
public:
    explicit TempDisk(uint64_t size) {
        const char* dir = std::getenv("TMPDIR");
        std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/cw-blk-test-XXXXXX";
        const int fd = ::mkstemp(templ.data());
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, static_cast<off_t>(size)) == 0);
        ::close(fd);
        m_path = templ;
    }
    ~TempDisk() { ::unlink(m_path.c_str()); }
    TempDisk(const TempDisk&) = delete;
    TempDisk& operator=(const TempDisk&) = delete;

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] std::vector<uint8_t> contents() const {
        std::vector<uint8_t> out;
        const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        uint8_t buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
            out.insert(out.end(), buf, buf + n);
        ::close(fd);
        return out;
    }
    void write_at(uint64_t offset, const std::vector<uint8_t>& bytes) const {
        const int fd = ::open(m_path.c_str(), O_WRONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) ==
                static_cast<ssize_t>(bytes.size()));
        ::close(fd);
    }

private:
    std::string m_path;
};

template <class T>
std::vector<uint8_t> as_bytes_vec(const T& value) {
    std::vector<uint8_t> out(sizeof value);
    std::memcpy(out.data(), &value, sizeof value);
    return out;
}

inline std::vector<uint8_t> blk_header(uint32_t type, uint64_t sector = 0) {
    return as_bytes_vec(VirtioBlkOuthdr{type, 0, sector});
}

// A header followed by DISCARD / WRITE_ZEROES ranges.
inline std::vector<uint8_t> range_request(uint32_t type, const std::vector<VirtioBlkDiscardWriteZeroes>& ranges) {
    std::vector<uint8_t> out = blk_header(type);
    for (const auto& r : ranges) {
        const auto b = as_bytes_vec(r);
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

// `n` bytes of a recognisable pattern.
inline std::vector<uint8_t> pattern(size_t n, uint8_t seed = 1) {
    std::vector<uint8_t> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<uint8_t>((i * 7 + seed) ^ (i >> 8));
    return out;
}

}  // namespace cw::devices::virtio::test
