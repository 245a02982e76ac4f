// blk: virtio-blk from inside the guest. Arguments (any order, each optional):
//   write=DEV:MIB        writes MIB MiB of the block pattern with O_DIRECT, then fsync
//   sha=DEV:HEX          reads DEV whole and checks its SHA-256
//   ro=DEV               DEV is read-only: /sys says so and opening it for writing fails
//   serial=DEV:TEXT      the virtio-blk GET_ID serial of DEV is TEXT
//   bench=DEV            bench/blk's guest side: sequential 1 MiB O_DIRECT reads of the
//                        whole device, then 4 KiB O_DIRECT random reads for 5 seconds
// The block pattern (tests/vmm/device-test checks it on the host): 4 KiB block b starts
// with b as a little-endian u64, the rest of its bytes are (b + offset) mod 256.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>

#include <cerrno>
#include <random>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "guest_util.h"

namespace cw::guest_test {

namespace {

constexpr size_t kBlock = 4096;
constexpr size_t kChunk = 1 << 20;

// "DEV:REST" -> {DEV, REST}
std::pair<std::string, std::string> split(const std::string& arg) {
    auto colon = arg.find(':');
    if (colon == std::string::npos)
        fail("argument '" + arg + "' needs DEV:VALUE", false);
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string sys_attribute(const std::string& dev, const std::string& name) {
    std::string base = dev.substr(dev.rfind('/') + 1);
    std::ifstream in("/sys/block/" + base + "/" + name);
    std::string value;
    std::getline(in, value);
    return value;
}

void write_pattern(const std::string& dev, size_t mib) {
    int fd = open(dev.c_str(), O_RDWR | O_DIRECT);
    if (fd < 0)
        fail("open " + dev + " O_DIRECT");
    void* mem = nullptr;
    if (posix_memalign(&mem, kBlock, kChunk) != 0)
        fail("posix_memalign", false);
    auto* buf = static_cast<unsigned char*>(mem);
    for (size_t chunk = 0; chunk < mib; ++chunk) {
        for (size_t off = 0; off < kChunk; off += kBlock) {
            const uint64_t block = (chunk * kChunk + off) / kBlock;
            for (size_t j = 0; j < kBlock; ++j)
                buf[off + j] = static_cast<unsigned char>(block + j);
            std::memcpy(buf + off, &block, sizeof block);
        }
        if (pwrite(fd, buf, kChunk, static_cast<off_t>(chunk * kChunk)) != static_cast<ssize_t>(kChunk))
            fail("O_DIRECT write to " + dev);
    }
    if (fsync(fd) != 0)
        fail("fsync " + dev);
    close(fd);
    free(mem);
    say("blk: wrote %zu MiB of pattern to %s with O_DIRECT and fsync", mib, dev.c_str());
}

void check_sha(const std::string& dev, const std::string& expected) {
    int fd = open(dev.c_str(), O_RDONLY);
    if (fd < 0)
        fail("open " + dev);
    std::vector<unsigned char> data;
    std::vector<unsigned char> buf(kChunk);
    for (;;) {
        ssize_t n = read(fd, buf.data(), buf.size());
        if (n < 0)
            fail("read " + dev);
        if (n == 0)
            break;
        data.insert(data.end(), buf.begin(), buf.begin() + n);
    }
    close(fd);
    const std::string got = sha256_hex(data.data(), data.size());
    say("blk: %s holds %zu bytes with SHA-256 %s", dev.c_str(), data.size(), got.c_str());
    if (got != expected)
        fail(dev + ": SHA-256 differs from the host's " + expected, false);
}

void check_read_only(const std::string& dev) {
    if (sys_attribute(dev, "ro") != "1")
        fail(dev + ": /sys/block/.../ro is not 1", false);
    // Linux may let the open succeed and refuse the write itself (EPERM); either way no
    // byte may be written.
    int fd = open(dev.c_str(), O_WRONLY | O_DIRECT);
    if (fd < 0) {
        if (errno != EROFS && errno != EACCES && errno != EPERM)
            fail(dev + ": open for writing failed, but not as read-only");
        say("blk: %s is read-only (open for writing: %s)", dev.c_str(), std::strerror(errno));
        return;
    }
    void* mem = nullptr;
    if (posix_memalign(&mem, kBlock, kBlock) != 0)
        fail("posix_memalign", false);
    std::memset(mem, 0xa5, kBlock);
    const ssize_t n = pwrite(fd, mem, kBlock, 0);
    const int err = errno;
    const bool synced = fsync(fd) == 0;
    close(fd);
    free(mem);
    if (n >= 0 && synced)
        fail(dev + ": a write to the read-only disk succeeded", false);
    say("blk: %s is read-only (write: %s)", dev.c_str(), std::strerror(n < 0 ? err : EIO));
}

double now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void bench(const std::string& dev) {
    int fd = open(dev.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0)
        fail("open " + dev + " O_DIRECT");
    const off_t size = lseek(fd, 0, SEEK_END);
    void* mem = nullptr;
    if (size < static_cast<off_t>(kChunk) || posix_memalign(&mem, kBlock, kChunk) != 0)
        fail(dev + ": too small, or no memory", false);
    double t0 = now_seconds();
    for (off_t off = 0; off + static_cast<off_t>(kChunk) <= size; off += kChunk)
        if (pread(fd, mem, kChunk, off) != static_cast<ssize_t>(kChunk))
            fail("sequential read of " + dev);
    const double seq = static_cast<double>(size) / (1 << 20) / (now_seconds() - t0);

    std::mt19937_64 rng(42);
    const uint64_t blocks = static_cast<uint64_t>(size) / kBlock;
    uint64_t ops = 0;
    t0 = now_seconds();
    double elapsed = 0;
    while (elapsed < 5.0) {
        for (int i = 0; i < 256; ++i, ++ops)
            if (pread(fd, mem, kBlock, static_cast<off_t>(rng() % blocks * kBlock)) != static_cast<ssize_t>(kBlock))
                fail("random read of " + dev);
        elapsed = now_seconds() - t0;
    }
    close(fd);
    free(mem);
    say("blkbench: seq_read_mib_s=%.1f rand4k_iops=%.0f", seq, static_cast<double>(ops) / elapsed);
}

}  // namespace

void check_blk(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("write=", 0) == 0) {
            auto [dev, mib] = split(arg.substr(6));
            write_pattern(dev, std::strtoul(mib.c_str(), nullptr, 10));
        } else if (arg.rfind("sha=", 0) == 0) {
            auto [dev, hex] = split(arg.substr(4));
            check_sha(dev, hex);
        } else if (arg.rfind("bench=", 0) == 0) {
            bench(arg.substr(6));
        } else if (arg.rfind("ro=", 0) == 0) {
            check_read_only(arg.substr(3));
        } else if (arg.rfind("serial=", 0) == 0) {
            auto [dev, serial] = split(arg.substr(7));
            const std::string got = sys_attribute(dev, "serial");
            say("blk: %s serial '%s'", dev.c_str(), got.c_str());
            if (got != serial)
                fail(dev + ": serial '" + got + "', expected '" + serial + "'", false);
        } else {
            fail("blk: unknown argument '" + arg + "'", false);
        }
    }
    stop_vm(0);
}

}  // namespace cw::guest_test
