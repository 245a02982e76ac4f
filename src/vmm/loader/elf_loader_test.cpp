#include "vmm/loader/elf_loader.h"

#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "vmm/loader/test_images.h"

using namespace cw::vmm;
using namespace cw::vmm::loader;
using namespace cw::vmm::loader::test;

namespace {

constexpr size_t kClassOffset = EI_CLASS;
constexpr size_t kDataOffset = EI_DATA;
constexpr size_t kTypeOffset = offsetof(Elf64_Ehdr, e_type);
constexpr size_t kMachineOffset = offsetof(Elf64_Ehdr, e_machine);
constexpr size_t kPhnumOffset = offsetof(Elf64_Ehdr, e_phnum);
constexpr size_t kPhoffOffset = offsetof(Elf64_Ehdr, e_phoff);
constexpr uint64_t kSegmentSize = 4 * kMiB;

std::string load_error(const std::vector<uint8_t>& image) {
    auto mem = make_guest_ram();
    return error_of(load_elf(image, mem));
}

}  // namespace

TEST_CASE("a valid ELF loads its segment bytes at p_paddr") {
    auto mem = make_guest_ram();
    auto k = load_elf(valid_elf(), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr)).value() == pattern_byte(0x1000));
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr + 0xfff)).value() == pattern_byte(0x1fff));
}

TEST_CASE("a valid ELF reports its entry point and the range it occupies") {
    auto mem = make_guest_ram();
    auto k = load_elf(valid_elf(), mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->format == KernelFormat::Elf);
    CHECK(k->entry == GuestAddress(kElfEntry));
    CHECK(k->start == GuestAddress(kElfLoadAddr));
    CHECK(k->end == GuestAddress(kElfLoadAddr + 0x3000));
    CHECK_FALSE(k->setup.has_value());
}

TEST_CASE("the bss part of a segment (memsz beyond filesz) is zeroed") {
    auto mem = make_guest_ram();
    REQUIRE(mem.fill(GuestAddress(kElfLoadAddr), 0x4000, 0xff).ok());
    REQUIRE(load_elf(valid_elf(), mem).ok());
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr + 0x1000)).value() == 0);
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr + 0x2fff)).value() == 0);
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr + 0x3000)).value() == 0xff);
}

TEST_CASE("start and end span all segments, whatever their order in the table") {
    auto image = make_elf({load_segment(20 * kMiB, 0x1000, 0x100, 0x1000), load_segment(16 * kMiB, 0x2000, 0x100, 0x100)},
                          16 * kMiB);
    auto mem = make_guest_ram();
    auto k = load_elf(image, mem);
    REQUIRE_MESSAGE(k.ok(), error_of(k));
    CHECK(k->start == GuestAddress(16 * kMiB));
    CHECK(k->end == GuestAddress(20 * kMiB + 0x1000));
}

TEST_CASE("non-PT_LOAD program headers are ignored") {
    auto note = load_segment(0, 0x1000, 0x10, 0x10);
    note.p_type = PT_NOTE;
    auto image = make_elf({note, load_segment(kElfLoadAddr, 0x1000, 0x1000, 0x3000)}, kElfEntry);
    auto mem = make_guest_ram();
    CHECK_MESSAGE(load_elf(image, mem).ok(), load_error(image));
}

TEST_CASE("an ELF shorter than its header is refused") {
    auto image = valid_elf();
    image.resize(sizeof(Elf64_Ehdr) - 1);
    CHECK(contains_text(load_error(image), "truncated: ELF header"));
}

TEST_CASE("a program header table past the end of the file is refused") {
    auto image = valid_elf();
    patch<uint64_t>(image, kPhoffOffset, image.size() - 8);
    CHECK(contains_text(load_error(image), "truncated: program header table ends at"));
}

TEST_CASE("a program header table offset that wraps is refused") {
    auto image = valid_elf();
    patch<uint64_t>(image, kPhoffOffset, UINT64_MAX - 8);
    CHECK(contains_text(load_error(image), "truncated: program header table ends at"));
}

TEST_CASE("a 32-bit ELF is refused") {
    auto image = valid_elf();
    image[kClassOffset] = ELFCLASS32;
    CHECK(contains_text(load_error(image), "ELF class 1 is not ELFCLASS64"));
}

TEST_CASE("a big-endian ELF is refused") {
    auto image = valid_elf();
    image[kDataOffset] = ELFDATA2MSB;
    CHECK(contains_text(load_error(image), "is not little-endian"));
}

TEST_CASE("an ELF for another machine is refused") {
    auto image = valid_elf();
    patch<uint16_t>(image, kMachineOffset, EM_AARCH64);
    CHECK(load_error(image) == "kernel: ELF machine 183 is not x86_64");
}

TEST_CASE("an ELF that is not an executable is refused") {
    auto image = valid_elf();
    patch<uint16_t>(image, kTypeOffset, ET_DYN);
    CHECK(contains_text(load_error(image), "ELF type 3 is not ET_EXEC"));
}

TEST_CASE("an ELF with an unexpected program header size is refused") {
    auto image = valid_elf();
    patch<uint16_t>(image, offsetof(Elf64_Ehdr, e_phentsize), 32);
    CHECK(contains_text(load_error(image), "program header size 32"));
}

TEST_CASE("an ELF with no program headers is refused") {
    auto image = valid_elf();
    patch<uint16_t>(image, kPhnumOffset, 0);
    CHECK(contains_text(load_error(image), "no program headers"));
}

TEST_CASE("an ELF with more than 64 program headers is refused") {
    auto image = valid_elf();
    patch<uint16_t>(image, kPhnumOffset, kMaxElfProgramHeaders + 1);
    CHECK(contains_text(load_error(image), "65 program headers, more than 64"));
}

TEST_CASE("an ELF without a PT_LOAD segment is refused") {
    auto note = load_segment(kElfLoadAddr, 0x1000, 0x10, 0x10);
    note.p_type = PT_NOTE;
    CHECK(contains_text(load_error(make_elf({note}, kElfEntry)), "no loadable (PT_LOAD) segment"));
}

TEST_CASE("a segment whose file range ends past the file is refused") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x3000, 0x2000, 0x2000)}, kElfEntry);
    CHECK(contains_text(load_error(image), "truncated: ELF program header 0: file range ends at 0x5000"));
}

TEST_CASE("a segment whose file offset plus size wraps is refused") {
    auto image = make_elf({load_segment(kElfLoadAddr, UINT64_MAX - 0x10, 0x100, 0x100)}, kElfEntry);
    CHECK(contains_text(load_error(image), "truncated: ELF program header 0: file range ends at"));
}

TEST_CASE("a segment with filesz > memsz is refused") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x1000, 0x2000, 0x1000)}, kElfEntry);
    CHECK(contains_text(load_error(image), "file size 0x2000 exceeds memory size 0x1000"));
}

TEST_CASE("overlapping segments are refused, naming both") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x1000, 0x100, kSegmentSize),
                           load_segment(kElfLoadAddr + kSegmentSize - 0x1000, 0x1000, 0x100, kSegmentSize)},
                          kElfEntry);
    CHECK(load_error(image) == "kernel: ELF program header 1: segment [0x13ff000, 0x17ff000) overlaps segment 0");
}

TEST_CASE("adjacent segments are accepted") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x1000, 0x100, kSegmentSize),
                           load_segment(kElfLoadAddr + kSegmentSize, 0x1000, 0x100, kSegmentSize)},
                          kElfEntry);
    auto mem = make_guest_ram();
    CHECK_MESSAGE(load_elf(image, mem).ok(), load_error(image));
}

TEST_CASE("a segment extending past guest RAM is refused") {
    auto image = make_elf({load_segment(kGuestRamSize - 0x1000, 0x1000, 0x100, 0x2000)}, kGuestRamSize - 0x1000);
    CHECK(contains_text(load_error(image), "segment [0x3fff000, 0x4001000) is outside guest RAM"));
}

TEST_CASE("a segment below 1 MiB is refused") {
    auto image = make_elf({load_segment(0x8000, 0x1000, 0x100, 0x1000)}, 0x8000);
    CHECK(contains_text(load_error(image), "starts below 0x100000"));
}

TEST_CASE("a segment whose address plus size wraps is refused") {
    auto image = make_elf({load_segment(UINT64_MAX - 0xfff, 0x1000, 0x100, 0x2000)}, kElfEntry);
    CHECK(contains_text(load_error(image), "wraps past 2^64"));
}

TEST_CASE("an entry point outside every segment is refused") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x1000, 0x1000, 0x3000)}, kElfLoadAddr + 0x3000);
    CHECK(load_error(image) == "kernel: ELF entry point 0x1003000 is not inside any loaded segment");
}

TEST_CASE("a rejected ELF leaves guest memory untouched") {
    auto image = make_elf({load_segment(kElfLoadAddr, 0x1000, 0x1000, 0x3000)}, 0x42);
    auto mem = make_guest_ram();
    REQUIRE_FALSE(load_elf(image, mem).ok());
    CHECK(mem.read_obj<uint8_t>(GuestAddress(kElfLoadAddr)).value() == 0);
}
