// DiskFile: what open() refuses, vectored I/O with short pieces, zeroing and holes.
#include "devices/virtio/blk/disk_file.h"

#include <doctest/doctest.h>

#include <vector>

#include "devices/virtio/blk/blk_test_util.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

DiskFile open_ok(const std::string& path, bool read_only = false) {
    auto r = DiskFile::open(path, read_only);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return std::move(r).value();
}

}  // namespace

TEST_CASE("a disk whose size is not a multiple of 512 is refused, naming the path") {
    TempDisk file(1000);
    auto r = DiskFile::open(file.path(), false);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find(file.path()) != std::string::npos);
    CHECK(r.error().message().find("multiple of 512") != std::string::npos);
}

TEST_CASE("a missing file is refused, naming the path and the step") {
    auto r = DiskFile::open("/nonexistent-cw-blk-test/disk.img", true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("/nonexistent-cw-blk-test/disk.img") != std::string::npos);
    CHECK(r.error().message().find("open") != std::string::npos);
    CHECK(r.error().sys_errno() == ENOENT);
}

TEST_CASE("a directory is refused") {
    const char* dir = std::getenv("TMPDIR");
    CHECK_FALSE(DiskFile::open(dir && *dir ? dir : "/tmp", true).ok());
}

TEST_CASE("a FIFO is refused without blocking") {
    TempDisk file(0);
    ::unlink(file.path().c_str());
    REQUIRE(::mkfifo(file.path().c_str(), 0600) == 0);
    auto r = DiskFile::open(file.path(), true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("not a regular file") != std::string::npos);
}

TEST_CASE("vectored writes and reads round-trip across several pieces") {
    TempDisk file(8192);
    DiskFile disk = open_ok(file.path());
    CHECK(disk.size() == 8192);
    auto data = pattern(1536);
    std::vector<iovec> out{{data.data(), 100}, {data.data() + 100, 0}, {data.data() + 100, 1436}};
    REQUIRE(disk.write_vectored(1024, out).ok());
    std::vector<uint8_t> back(1536);
    std::vector<iovec> in{{back.data(), 1000}, {back.data() + 1000, 536}};
    REQUIRE(disk.read_vectored(1024, in).ok());
    CHECK(back == data);
    const auto all = file.contents();
    CHECK(std::vector(all.begin() + 1024, all.begin() + 2560) == data);
    CHECK(all.size() == 8192);
}

TEST_CASE("a read past the end of the file fails instead of returning short") {
    TempDisk file(1024);
    DiskFile disk = open_ok(file.path());
    std::vector<uint8_t> buf(1024);
    std::vector<iovec> in{{buf.data(), buf.size()}};
    CHECK_FALSE(disk.read_vectored(512, in).ok());
}

TEST_CASE("write_zeroes and punch_hole leave zeroes and keep the size") {
    TempDisk file(16384);
    file.write_at(0, pattern(16384));
    DiskFile disk = open_ok(file.path());
    REQUIRE(disk.write_zeroes(512, 1024).ok());
    if (disk.supports_punch_hole())
        REQUIRE(disk.punch_hole(8192, 4096).ok());
    const auto all = file.contents();
    REQUIRE(all.size() == 16384);
    const auto expected = pattern(16384);
    CHECK(std::vector(all.begin(), all.begin() + 512) == std::vector(expected.begin(), expected.begin() + 512));
    CHECK(std::vector(all.begin() + 512, all.begin() + 1536) == std::vector<uint8_t>(1024, 0));
    CHECK(std::vector(all.begin() + 1536, all.begin() + 8192) ==
          std::vector(expected.begin() + 1536, expected.begin() + 8192));
    if (disk.supports_punch_hole())
        CHECK(std::vector(all.begin() + 8192, all.begin() + 12288) == std::vector<uint8_t>(4096, 0));
}

TEST_CASE("a read-only disk cannot punch holes and fails writes") {
    TempDisk file(4096);
    DiskFile disk = open_ok(file.path(), true);
    CHECK(disk.read_only());
    CHECK_FALSE(disk.supports_punch_hole());
    auto data = pattern(512);
    std::vector<iovec> out{{data.data(), data.size()}};
    auto r = disk.write_vectored(0, out);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("pwritev") != std::string::npos);
}
