#include "vmm/arch/x86_64/boot_params.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

#include "vmm/arch/x86_64/layout.h"

using namespace cw::vmm;
using namespace cw::vmm::x86;

namespace {

GuestMemory low_memory(uint64_t size = 32 * kMiB) {
    std::array specs{RegionSpec{GuestAddress(0), size}};
    auto m = GuestMemory::create_anonymous(specs);
    REQUIRE(m.ok());
    return std::move(m).value();
}

BootParamsConfig basic_config() {
    BootParamsConfig config;
    config.cmdline = kCmdlineAddr;
    config.cmdline_size = 12;
    config.e820 = {{0, kEbdaStart.value(), kE820Ram}, {kHighMemStart.value(), 31 * kMiB, kE820Ram}};
    return config;
}

boot_params read_zero_page(const GuestMemory& mem) {
    auto params = mem.read_obj<boot_params>(kZeroPageAddr);
    REQUIRE(params.ok());
    return params.value();
}

setup_header bzimage_header() {
    setup_header hdr{};
    hdr.boot_flag = 0xaa55;
    hdr.header = 0x53726448;
    hdr.version = 0x020f;
    hdr.kernel_alignment = 0x200000;
    hdr.xloadflags = XLF_KERNEL_64;
    hdr.loadflags = LOADED_HIGH;
    hdr.cmdline_size = 4095;
    return hdr;
}

}  // namespace

TEST_CASE("zero page for an ELF vmlinux carries a synthesised setup header") {
    auto mem = low_memory();
    REQUIRE(write_boot_params(mem, basic_config()).ok());
    auto p = read_zero_page(mem);
    uint16_t boot_flag = p.hdr.boot_flag, version = p.hdr.version;
    uint32_t header = p.hdr.header, alignment = p.hdr.kernel_alignment, cmdline = p.hdr.cmd_line_ptr;
    CHECK(boot_flag == 0xaa55);
    CHECK(header == 0x53726448);
    CHECK(version >= 0x020c);
    CHECK(alignment == 0x1000000);
    CHECK(p.hdr.type_of_loader == 0xff);
    CHECK(cmdline == kCmdlineAddr.value());
    uint32_t ext_cmdline = p.ext_cmd_line_ptr, cmdline_size = p.hdr.cmdline_size;
    CHECK(ext_cmdline == 0);
    CHECK(cmdline_size == kDefaultCmdlineSize);
}

TEST_CASE("zero page for a bzImage starts from the kernel's header") {
    auto mem = low_memory();
    auto config = basic_config();
    config.kernel_setup = bzimage_header();
    REQUIRE(write_boot_params(mem, config).ok());
    auto p = read_zero_page(mem);
    uint16_t version = p.hdr.version, xloadflags = p.hdr.xloadflags;
    uint32_t alignment = p.hdr.kernel_alignment, cmdline_size = p.hdr.cmdline_size;
    CHECK(version == 0x020f);
    CHECK(alignment == 0x200000);
    CHECK(xloadflags == XLF_KERNEL_64);
    CHECK(cmdline_size == 4095);
    CHECK(p.hdr.loadflags == LOADED_HIGH);
    CHECK(p.hdr.type_of_loader == 0xff);
}

TEST_CASE("a bzImage header without HdrS is refused") {
    auto mem = low_memory();
    auto config = basic_config();
    auto hdr = bzimage_header();
    hdr.header = 0;
    config.kernel_setup = hdr;
    auto r = write_boot_params(mem, config);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("HdrS") != std::string::npos);
}

TEST_CASE("initrd address and size land in the header, high bits in ext_ramdisk_image") {
    auto mem = low_memory();
    auto config = basic_config();
    config.initrd = GuestAddress(0x1'2345'6000);
    config.initrd_size = 0x8000;
    REQUIRE(write_boot_params(mem, config).ok());
    auto p = read_zero_page(mem);
    uint32_t image = p.hdr.ramdisk_image, size = p.hdr.ramdisk_size, ext = p.ext_ramdisk_image;
    CHECK(image == 0x2345'6000);
    CHECK(ext == 1);
    CHECK(size == 0x8000);
}

TEST_CASE("a command line longer than the kernel's cmdline_size is refused in the zero page too") {
    auto mem = low_memory();
    auto config = basic_config();
    auto hdr = bzimage_header();
    hdr.cmdline_size = 11;
    config.kernel_setup = hdr;
    auto r = write_boot_params(mem, config);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("at most 11") != std::string::npos);
}

TEST_CASE("the e820 map is copied into the zero page") {
    auto mem = low_memory();
    auto config = basic_config();
    REQUIRE(write_boot_params(mem, config).ok());
    auto p = read_zero_page(mem);
    REQUIRE(p.e820_entries == 2);
    uint64_t addr = p.e820_table[1].addr, size = p.e820_table[1].size;
    uint32_t type = p.e820_table[1].type;
    CHECK(addr == kHighMemStart.value());
    CHECK(size == 31 * kMiB);
    CHECK(type == kE820Ram);
}

TEST_CASE("an e820 map larger than the zero page holds is refused") {
    auto mem = low_memory();
    auto config = basic_config();
    config.e820.assign(E820_MAX_ENTRIES_ZEROPAGE + 1, E820Entry{0, kPageSize, kE820Ram});
    auto r = write_boot_params(mem, config);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("at most 128") != std::string::npos);
}

TEST_CASE("an empty e820 map is refused") {
    auto mem = low_memory();
    auto config = basic_config();
    config.e820.clear();
    CHECK_FALSE(write_boot_params(mem, config).ok());
}

TEST_CASE("the command line is written NUL-terminated at kCmdlineAddr") {
    auto mem = low_memory();
    REQUIRE(write_cmdline(mem, "console=ttyS0", 0).ok());
    std::array<char, 14> back{};
    REQUIRE(mem.read(kCmdlineAddr, std::as_writable_bytes(std::span(back))).ok());
    CHECK(std::string(back.data()) == "console=ttyS0");
    CHECK(back[13] == '\0');
}

TEST_CASE("a command line longer than the kernel's cmdline_size is refused") {
    auto mem = low_memory();
    auto r = write_cmdline(mem, "0123456789a", 10);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("11 bytes; the limit is 10") != std::string::npos);
    CHECK(write_cmdline(mem, "0123456789", 10).ok());
}

TEST_CASE("without a kernel limit the command line may be 2047 bytes") {
    auto mem = low_memory();
    CHECK(write_cmdline(mem, std::string(kDefaultCmdlineSize, 'x'), 0).ok());
    CHECK_FALSE(write_cmdline(mem, std::string(kDefaultCmdlineSize + 1, 'x'), 0).ok());
}

TEST_CASE("a kernel limit above the reserved area is capped at kCmdlineMaxSize") {
    auto mem = low_memory();
    CHECK_FALSE(write_cmdline(mem, std::string(kCmdlineMaxSize, 'x'), 0x100000).ok());
    CHECK(write_cmdline(mem, std::string(kCmdlineMaxSize - 1, 'x'), 0x100000).ok());
}

TEST_CASE("a command line with an embedded NUL is refused") {
    auto mem = low_memory();
    using namespace std::string_literals;
    CHECK_FALSE(write_cmdline(mem, "root=/dev/vda\0rw"s, 0).ok());
}

TEST_CASE("the initrd goes to the top of low RAM, page-aligned") {
    auto mem = low_memory(64 * kMiB);
    auto at = place_initrd(mem, kMiB + 1, 20 * kMiB, 0x7fffffff);
    REQUIRE(at.ok());
    CHECK(at->value() == 64 * kMiB - kMiB - kPageSize);
    CHECK(at->value() % kPageSize == 0);
}

TEST_CASE("the initrd ends at or below initrd_addr_max") {
    auto mem = low_memory(64 * kMiB);
    auto at = place_initrd(mem, kMiB, 20 * kMiB, 48 * kMiB - 1);
    REQUIRE(at.ok());
    CHECK(at->value() == 47 * kMiB);
}

TEST_CASE("an initrd that would overlap the kernel is refused") {
    auto mem = low_memory(32 * kMiB);
    auto r = place_initrd(mem, 2 * kMiB, 31 * kMiB, 0x7fffffff);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("does not fit") != std::string::npos);
}

TEST_CASE("an initrd larger than low RAM is refused") {
    auto mem = low_memory(32 * kMiB);
    CHECK_FALSE(place_initrd(mem, 64 * kMiB, 2 * kMiB, 0x7fffffff).ok());
}

TEST_CASE("the setup_data list head goes into the header; none by default") {
    auto mem = low_memory();
    REQUIRE(write_boot_params(mem, basic_config()).ok());
    uint64_t none = read_zero_page(mem).hdr.setup_data;
    CHECK(none == 0);
    auto config = basic_config();
    config.setup_data = 0x4040;
    REQUIRE(write_boot_params(mem, config).ok());
    uint64_t head = read_zero_page(mem).hdr.setup_data;
    CHECK(head == 0x4040);
}
