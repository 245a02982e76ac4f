#include "vmm/loader/bzimage_loader.h"

#include <doctest/doctest.h>

#include <vector>

#include "vmm/loader/test_images.h"

using namespace cw::vmm;
using namespace cw::vmm::loader;
using namespace cw::vmm::loader::test;

namespace {

constexpr uint64_t kPrefAddress = 0x1000000;
constexpr size_t kSetupSize = 5 * 512;  // BzImageSpec's 4 setup sectors + the boot sector

std::string load_error(const BzImageSpec& spec) {
    auto mem = make_guest_ram();
    return error_of(load_bzimage(make_bzimage(spec), mem));
}

}  // namespace

TEST_CASE("a valid bzImage loads its protected-mode kernel at pref_address") {
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage({}), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kPrefAddress)).value() == pattern_byte(0));
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kPrefAddress + 0x2fff)).value() == pattern_byte(0x2fff));
}

TEST_CASE("a valid bzImage is entered at load + 0x200 (startup_64)") {
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage({}), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::BzImage);
    CHECK(k->entry == GuestAddress(kPrefAddress + 0x200));
}

TEST_CASE("a valid bzImage occupies [load, load + init_size)") {
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage({}), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->start == GuestAddress(kPrefAddress));
    CHECK(k->end == GuestAddress(kPrefAddress + BzImageSpec{}.init_size));
}

TEST_CASE("a bzImage whose init_size is below its file size occupies the file size") {
    BzImageSpec spec;
    spec.init_size = 0x100;
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage(spec), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->end == GuestAddress(kPrefAddress + spec.payload_size));
}

TEST_CASE("a valid bzImage returns its setup header") {
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage({}), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    REQUIRE(k->setup.has_value());
    CHECK(uint32_t{k->setup->header} == 0x53726448);
    CHECK(uint16_t{k->setup->version} == 0x020f);
    CHECK(uint32_t{k->setup->init_size} == BzImageSpec{}.init_size);
    CHECK(uint32_t{k->setup->cmdline_size} == 0x7ff);
}

TEST_CASE("setup header bytes past the header's own length are not copied") {
    BzImageSpec spec;
    spec.header_length = 0x66;  // ends at 0x268, before kernel_info_offset
    auto image = make_bzimage(spec);
    patch<uint32_t>(image, 0x268, 0xdeadbeef);
    auto mem = make_guest_ram();
    auto k = load_bzimage(image, mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(uint32_t{k->setup->kernel_info_offset} == 0);
}

TEST_CASE("setup_sects 0 means 4 setup sectors") {
    BzImageSpec spec;
    spec.setup_sects = 0;
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage(spec), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kPrefAddress)).value() == pattern_byte(0));
}

TEST_CASE("a bzImage without pref_address loads at the traditional 1 MiB") {
    BzImageSpec spec;
    spec.pref_address = 0;
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage(spec), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->start == GuestAddress(0x100000));
}

TEST_CASE("a bzImage smaller than 1 KiB is refused") {
    auto image = make_bzimage({});
    image.resize(1023);
    auto mem = make_guest_ram();
    CHECK(contains_text(error_of(load_bzimage(image, mem)), "truncated: bzImage of 0x3ff bytes"));
}

TEST_CASE("a bzImage with a bad boot flag is refused") {
    BzImageSpec spec;
    spec.boot_flag = 0x55aa;
    CHECK(load_error(spec) == "kernel: bzImage boot flag 0x55aa at 0x1fe is not 0xaa55");
}

TEST_CASE("a bzImage without the HdrS magic is refused") {
    BzImageSpec spec;
    spec.magic = 0x12345678;
    CHECK(contains_text(load_error(spec), "header magic 0x12345678 at 0x202 is not HdrS"));
}

TEST_CASE("a bzImage with boot protocol older than 2.12 is refused") {
    BzImageSpec spec;
    spec.version = 0x020b;
    CHECK(contains_text(load_error(spec), "boot protocol 2.11 is older than 2.12"));
}

TEST_CASE("a bzImage whose header ends before init_size is refused") {
    BzImageSpec spec;
    spec.header_length = 0x20;
    CHECK(contains_text(load_error(spec), "setup header ends at 0x222, before init_size ends at 0x264"));
}

TEST_CASE("a bzImage without XLF_KERNEL_64 is refused") {
    BzImageSpec spec;
    spec.xloadflags = 0;
    CHECK(contains_text(load_error(spec), "lacks XLF_KERNEL_64"));
}

TEST_CASE("a bzImage whose setup sectors reach the end of the file is refused") {
    auto image = make_bzimage({});
    image.resize(kSetupSize);
    auto mem = make_guest_ram();
    CHECK(contains_text(error_of(load_bzimage(image, mem)), "truncated: bzImage setup of 4 sectors ends at 0xa00"));
}

TEST_CASE("a bzImage whose setup_sects points past the file is refused") {
    auto image = make_bzimage({});
    image[kSetupHeaderOffset] = 0xff;
    auto mem = make_guest_ram();
    CHECK(contains_text(error_of(load_bzimage(image, mem)), "setup of 255 sectors ends at 0x20000"));
}

TEST_CASE("a bzImage kernel too short to hold startup_64 is refused") {
    BzImageSpec spec;
    spec.payload_size = 0x200;
    CHECK(contains_text(load_error(spec), "does not reach the 64-bit entry at 0x200"));
}

TEST_CASE("a bzImage that does not fit in guest memory is refused") {
    BzImageSpec spec;
    spec.init_size = 0x4000000;  // 64 MiB from 16 MiB: past the 64 MiB of guest RAM
    CHECK(load_error(spec) ==
          "kernel: bzImage needs [0x1000000, 0x5000000) (init_size 0x4000000) for in-place decompression, "
          "which is not inside guest RAM");
}

TEST_CASE("a bzImage preferring an address below 1 MiB is refused") {
    BzImageSpec spec;
    spec.pref_address = 0x80000;
    spec.kernel_alignment = 0x1000;
    CHECK(contains_text(load_error(spec), "starts below 0x100000"));
}

TEST_CASE("a bzImage whose load range wraps is refused") {
    BzImageSpec spec;
    spec.pref_address = 0xffffffffffe00000;
    CHECK(contains_text(load_error(spec), "wraps past 2^64"));
}

TEST_CASE("a relocatable bzImage with pref_address off its alignment is refused") {
    BzImageSpec spec;
    spec.pref_address = 0x1100000;
    CHECK(contains_text(load_error(spec), "pref_address 0x1100000 is not a multiple of kernel_alignment 0x200000"));
}

TEST_CASE("a relocatable bzImage whose kernel_alignment is not a power of two is refused") {
    BzImageSpec spec;
    spec.kernel_alignment = 0x300000;
    CHECK(contains_text(load_error(spec), "kernel_alignment 0x300000 is not a power of two"));
}

TEST_CASE("a non-relocatable bzImage loads at pref_address whatever its alignment field") {
    BzImageSpec spec;
    spec.relocatable = 0;
    spec.kernel_alignment = 0;
    auto mem = make_guest_ram();
    auto k = load_bzimage(make_bzimage(spec), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->start == GuestAddress(kPrefAddress));
}
