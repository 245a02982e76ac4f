#include "tee/launch/launch_pages.h"

#include <doctest/doctest.h>

#include <array>

using cw::tee::LaunchPages;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
using cw::vmm::RegionSpec;

namespace {

constexpr uint64_t kRam = 0x10000;

GuestMemory small_ram() {
    const std::array<RegionSpec, 1> regions{{{GuestAddress(0), kRam}}};
    return GuestMemory::create_anonymous(regions).value();
}

}  // namespace

TEST_CASE("LaunchPages lists each page a range touches, page-aligned") {
    auto memory = small_ram();
    LaunchPages pages;
    REQUIRE(pages.add(memory, GuestAddress(0x1ff0), 0x20).ok());
    CHECK(pages.pages() == std::vector<uint64_t>{0x1000, 0x2000});
}

TEST_CASE("LaunchPages records a page written twice once") {
    auto memory = small_ram();
    LaunchPages pages;
    REQUIRE(pages.add(memory, GuestAddress(0x3000), 0x10).ok());
    REQUIRE(pages.add(memory, GuestAddress(0x3800), 0x10).ok());
    CHECK(pages.pages() == std::vector<uint64_t>{0x3000});
}

TEST_CASE("LaunchPages orders pages by GPA, not by recording order") {
    auto memory = small_ram();
    LaunchPages pages;
    REQUIRE(pages.add(memory, GuestAddress(0x9000), 0x1000).ok());
    REQUIRE(pages.add(memory, GuestAddress(0x500), 0x30).ok());
    CHECK(pages.pages() == std::vector<uint64_t>{0x0, 0x9000});
}

TEST_CASE("LaunchPages ignores an empty range") {
    auto memory = small_ram();
    LaunchPages pages;
    REQUIRE(pages.add(memory, GuestAddress(0x4000), 0).ok());
    CHECK(pages.size() == 0);
}

TEST_CASE("LaunchPages refuses a range past the end of RAM") {
    auto memory = small_ram();
    LaunchPages pages;
    CHECK_FALSE(pages.add(memory, GuestAddress(kRam - 0x10), 0x20).ok());
    CHECK(pages.size() == 0);
}

TEST_CASE("LaunchPages refuses a range that wraps") {
    auto memory = small_ram();
    LaunchPages pages;
    CHECK_FALSE(pages.add(memory, GuestAddress(UINT64_MAX - 0x10), 0x20).ok());
}
