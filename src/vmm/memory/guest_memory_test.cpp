#include "vmm/memory/guest_memory.h"

#include <doctest/doctest.h>

#include <array>

using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using cw::vmm::RegionSpec;

namespace {

constexpr uint64_t kMiB = 1 << 20;

GuestMemory two_regions() {
    std::array specs{RegionSpec{GuestAddress(0), 2 * kMiB}, RegionSpec{GuestAddress(4 * kMiB), kMiB}};
    auto m = GuestMemory::create_anonymous(specs);
    REQUIRE(m.ok());
    return std::move(m).value();
}

}  // namespace

TEST_CASE("objects round-trip inside a region") {
    auto mem = two_regions();
    REQUIRE(mem.write_obj<uint64_t>(GuestAddress(0x1000), 0x1122334455667788).ok());
    auto v = mem.read_obj<uint64_t>(GuestAddress(0x1000));
    REQUIRE(v.ok());
    CHECK(v.value() == 0x1122334455667788);
}

TEST_CASE("an access ending exactly at a region's end is allowed") {
    auto mem = two_regions();
    CHECK(mem.write_obj<uint32_t>(GuestAddress(2 * kMiB - 4), 1).ok());
}

TEST_CASE("an access straddling a region's end is refused") {
    auto mem = two_regions();
    CHECK_FALSE(mem.write_obj<uint32_t>(GuestAddress(2 * kMiB - 2), 1).ok());
}

TEST_CASE("an access in the hole between regions is refused") {
    auto mem = two_regions();
    CHECK_FALSE(mem.read_obj<uint8_t>(GuestAddress(3 * kMiB)).ok());
}

TEST_CASE("an access spanning two adjacent regions is refused (no cross-region views)") {
    std::array specs{RegionSpec{GuestAddress(0), kMiB}, RegionSpec{GuestAddress(kMiB), kMiB}};
    auto mem = GuestMemory::create_anonymous(specs);
    REQUIRE(mem.ok());
    CHECK_FALSE(mem->slice(GuestAddress(kMiB - 8), 16).ok());
    CHECK(mem->slice(GuestAddress(kMiB - 8), 8).ok());
}

TEST_CASE("address plus length that wraps 2^64 is refused") {
    auto mem = two_regions();
    CHECK_FALSE(mem.slice(GuestAddress(0x1000), UINT64_MAX).ok());
    CHECK_FALSE(mem.slice(GuestAddress(UINT64_MAX - 1), 4).ok());
    CHECK_FALSE(mem.contains(GuestAddress(UINT64_MAX), 1));
}

TEST_CASE("overlapping, unaligned and empty region specs are refused") {
    std::array overlap{RegionSpec{GuestAddress(0), 2 * kMiB}, RegionSpec{GuestAddress(kMiB), kMiB}};
    CHECK_FALSE(GuestMemory::create_anonymous(overlap).ok());
    std::array unaligned{RegionSpec{GuestAddress(0x10), kMiB}};
    CHECK_FALSE(GuestMemory::create_anonymous(unaligned).ok());
    std::array empty{RegionSpec{GuestAddress(0), 0}};
    CHECK_FALSE(GuestMemory::create_anonymous(empty).ok());
    std::array wraps{RegionSpec{GuestAddress(UINT64_MAX - 0xfff), 0x2000}};
    CHECK_FALSE(GuestMemory::create_anonymous(wraps).ok());
}

TEST_CASE("fill and total size") {
    auto mem = two_regions();
    REQUIRE(mem.fill(GuestAddress(4 * kMiB), 16, 0xab).ok());
    CHECK(mem.read_obj<uint8_t>(GuestAddress(4 * kMiB + 15)).value() == 0xab);
    CHECK(mem.total_size() == 3 * kMiB);
}
