#include "vmm/loader/kernel_loader.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "vmm/loader/test_images.h"

using namespace cw::vmm;
using namespace cw::vmm::loader;
using namespace cw::vmm::loader::test;

namespace {

// Enough for a real kernel: a tinyconfig bzImage needs [16 MiB, 16 MiB + init_size).
constexpr uint64_t kRealGuestRamSize = 512 * kMiB;

// $CW_GUEST_KERNEL_DIR/<name>, or nullopt when the variable or the file is missing.
std::optional<std::vector<uint8_t>> read_guest_kernel(const std::string& name) {
    const char* dir = std::getenv("CW_GUEST_KERNEL_DIR");
    if (dir == nullptr || *dir == '\0')
        return std::nullopt;
    std::ifstream file(std::string(dir) + "/" + name, std::ios::binary);
    if (!file)
        return std::nullopt;
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("an ELF image is detected and loaded as ELF") {
    auto mem = make_guest_ram();
    auto k = load_kernel(valid_elf(), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::Elf);
}

TEST_CASE("a bzImage is detected and loaded as bzImage") {
    auto mem = make_guest_ram();
    auto k = load_kernel(make_bzimage({}), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::BzImage);
}

TEST_CASE("an image that is neither ELF nor bzImage is refused") {
    std::vector<uint8_t> image(0x1000, 0x90);
    auto mem = make_guest_ram();
    CHECK(error_of(load_kernel(image, mem)) == "kernel: not an ELF or bzImage (bad magic)");
}

TEST_CASE("an empty image is refused") {
    auto mem = make_guest_ram();
    CHECK(error_of(load_kernel({}, mem)) == "kernel: not an ELF or bzImage (bad magic)");
}

TEST_CASE("the real guest vmlinux loads (needs CW_GUEST_KERNEL_DIR)") {
    auto image = read_guest_kernel("vmlinux");
    if (!image) {
        MESSAGE("skipped: set CW_GUEST_KERNEL_DIR to a directory holding vmlinux");
        return;
    }
    auto mem = make_guest_ram(kRealGuestRamSize);
    auto k = load_kernel(*image, mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::Elf);
    CHECK(k->start <= k->entry);
    CHECK(k->entry < k->end);
}

TEST_CASE("the real guest bzImage loads (needs CW_GUEST_KERNEL_DIR)") {
    auto image = read_guest_kernel("bzImage");
    if (!image) {
        MESSAGE("skipped: set CW_GUEST_KERNEL_DIR to a directory holding bzImage");
        return;
    }
    auto mem = make_guest_ram(kRealGuestRamSize);
    auto k = load_kernel(*image, mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::BzImage);
    REQUIRE(k->setup.has_value());
    CHECK(k->start == GuestAddress(k->setup->pref_address));
    CHECK(k->entry == k->start.unchecked_add(0x200));
    CHECK(k->end == k->start.unchecked_add(k->setup->init_size));
    CHECK(uint32_t{k->setup->header} == 0x53726448);
    CHECK((k->setup->xloadflags & XLF_KERNEL_64) != 0);
}
