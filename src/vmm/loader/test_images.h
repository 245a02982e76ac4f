// Test helpers: guest RAM and synthetic kernel images (a tiny ELF with chosen program
// headers, a fake bzImage with a setup header) for the loader's unit tests.
#pragma once

#include <asm/bootparam.h>
#include <elf.h>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "vmm/memory/guest_memory.h"

// Failed CHECKs on guest addresses print them in hex.
template <>
struct doctest::StringMaker<cw::vmm::GuestAddress> {
    static doctest::String convert(const cw::vmm::GuestAddress& addr) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(addr.value()));
        return buf;
    }
};

namespace cw::vmm::loader::test {

inline constexpr uint64_t kMiB = 1 << 20;
inline constexpr uint64_t kGuestRamSize = 64 * kMiB;

// One region of `size` bytes at guest-physical 0.
inline GuestMemory make_guest_ram(uint64_t size = kGuestRamSize) {
    std::array specs{RegionSpec{GuestAddress(0), size}};
    auto mem = GuestMemory::create_anonymous(specs);
    REQUIRE(mem.ok());
    return std::move(mem).value();
}

template <class T>
void patch(std::vector<uint8_t>& image, size_t offset, const T& value) {
    REQUIRE(offset + sizeof(T) <= image.size());
    std::memcpy(image.data() + offset, &value, sizeof(T));
}

// The error message of a failed Result, or a marker that makes a CHECK on it fail.
template <class T>
std::string error_of(const Result<T>& r) {
    return r.ok() ? std::string("<no error>") : r.error().message();
}

inline bool contains_text(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// --- ELF ----------------------------------------------------------------------------------

inline Elf64_Phdr load_segment(uint64_t paddr, uint64_t offset, uint64_t filesz, uint64_t memsz) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_X;
    ph.p_offset = offset;
    ph.p_vaddr = paddr + 0xffffffff80000000;  // as in vmlinux: virtual differs from physical
    ph.p_paddr = paddr;
    ph.p_filesz = filesz;
    ph.p_memsz = memsz;
    ph.p_align = 0x1000;
    return ph;
}

// An ELF64 x86_64 executable: the header, the program headers right after it, and file
// byte i = pattern_byte(i) everywhere else, up to file_size.
inline uint8_t pattern_byte(size_t i) { return static_cast<uint8_t>(i * 7 + 3); }

inline std::vector<uint8_t> make_elf(const std::vector<Elf64_Phdr>& phdrs, uint64_t entry,
                                     size_t file_size = 0x4000) {
    std::vector<uint8_t> image(file_size);
    for (size_t i = 0; i < image.size(); ++i)
        image[i] = pattern_byte(i);
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = entry;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = static_cast<uint16_t>(phdrs.size());
    patch(image, 0, eh);
    for (size_t i = 0; i < phdrs.size(); ++i)
        patch(image, sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr), phdrs[i]);
    return image;
}

// The reference image: one segment at 16 MiB, 0x1000 file bytes from offset 0x1000,
// 0x3000 bytes in memory (0x2000 of bss), entered 0x10 bytes in.
inline constexpr uint64_t kElfLoadAddr = 16 * kMiB;
inline constexpr uint64_t kElfEntry = kElfLoadAddr + 0x10;
inline std::vector<uint8_t> valid_elf() {
    return make_elf({load_segment(kElfLoadAddr, 0x1000, 0x1000, 0x3000)}, kElfEntry);
}

// --- bzImage ------------------------------------------------------------------------------

struct BzImageSpec {
    uint8_t setup_sects = 4;
    uint16_t boot_flag = 0xaa55;
    uint32_t magic = 0x53726448;
    uint16_t version = 0x020f;
    uint8_t header_length = 0x6a;  // the byte at 0x201: header ends at 0x26c
    uint16_t xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
    uint8_t relocatable = 1;
    uint32_t kernel_alignment = 0x200000;
    uint64_t pref_address = 0x1000000;
    uint32_t init_size = 0x800000;
    size_t payload_size = 0x3000;
};

inline constexpr size_t kSetupHeaderOffset = 0x1f1;

// Boot sector and setup sectors (zero but for the header), then the protected-mode kernel
// whose byte i is pattern_byte(i).
inline std::vector<uint8_t> make_bzimage(const BzImageSpec& spec) {
    size_t setup_size = (size_t{spec.setup_sects == 0 ? uint8_t{4} : spec.setup_sects} + 1) * 512;
    std::vector<uint8_t> image(setup_size + spec.payload_size);
    for (size_t i = 0; i < spec.payload_size; ++i)
        image[setup_size + i] = pattern_byte(i);
    setup_header hdr{};
    hdr.setup_sects = spec.setup_sects;
    hdr.boot_flag = spec.boot_flag;
    hdr.jump = static_cast<uint16_t>(0xeb | (spec.header_length << 8));
    hdr.header = spec.magic;
    hdr.version = spec.version;
    hdr.loadflags = LOADED_HIGH;
    hdr.xloadflags = spec.xloadflags;
    hdr.relocatable_kernel = spec.relocatable;
    hdr.kernel_alignment = spec.kernel_alignment;
    hdr.pref_address = spec.pref_address;
    hdr.init_size = spec.init_size;
    hdr.cmdline_size = 0x7ff;
    patch(image, kSetupHeaderOffset, hdr);
    return image;
}

}  // namespace cw::vmm::loader::test
