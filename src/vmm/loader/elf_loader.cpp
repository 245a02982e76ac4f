#include "vmm/loader/elf_loader.h"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "vmm/arch/x86_64/layout.h"
#include "vmm/loader/image_bytes.h"

namespace cw::vmm::loader {

namespace {

static_assert(sizeof(Elf64_Ehdr) == 64 && sizeof(Elf64_Phdr) == 56, "ELF64 layout (System V gABI)");

// A PT_LOAD that passed validation: its file bytes lie inside the image and its memory
// range inside guest RAM.
struct Segment {
    size_t index;  // program header number, for error messages
    uint64_t offset;
    uint64_t filesz;
    GuestAddress start;
    GuestAddress end;
};

std::string range(GuestAddress start, GuestAddress end) {
    return "[" + hex(start.value()) + ", " + hex(end.value()) + ")";
}

Error phdr_error(size_t index, const std::string& what) {
    return Error::msg("kernel: ELF program header " + std::to_string(index) + ": " + what);
}

Result<void> check_ident(const Elf64_Ehdr& eh) {
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return Error::msg("kernel: ELF class " + std::to_string(eh.e_ident[EI_CLASS]) + " is not ELFCLASS64");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return Error::msg("kernel: ELF data encoding " + std::to_string(eh.e_ident[EI_DATA]) +
                          " is not little-endian");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
        return Error::msg("kernel: ELF version " + std::to_string(eh.e_version) + " is not EV_CURRENT");
    if (eh.e_type != ET_EXEC)
        return Error::msg("kernel: ELF type " + std::to_string(eh.e_type) + " is not ET_EXEC");
    if (eh.e_machine != EM_X86_64)
        return Error::msg("kernel: ELF machine " + std::to_string(eh.e_machine) + " is not x86_64");
    return {};
}

Result<Elf64_Ehdr> read_header(std::span<const uint8_t> image) {
    auto eh = read_at<Elf64_Ehdr>(image, 0);
    if (!eh)
        return Error::msg("kernel: truncated: ELF header needs " + hex(sizeof(Elf64_Ehdr)) +
                          " bytes, past the file size " + hex(image.size()));
    CW_TRY(check_ident(*eh));
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return Error::msg("kernel: ELF program header size " + std::to_string(eh->e_phentsize) + " is not " +
                          std::to_string(sizeof(Elf64_Phdr)));
    // e_phnum 0 also covers PN_XNUM (0xffff, "count in section 0"), which the bound refuses.
    if (eh->e_phnum == 0)
        return Error::msg("kernel: ELF has no program headers");
    if (eh->e_phnum > kMaxElfProgramHeaders)
        return Error::msg("kernel: ELF has " + std::to_string(eh->e_phnum) + " program headers, more than " +
                          std::to_string(kMaxElfProgramHeaders));
    uint64_t table_size = uint64_t{eh->e_phnum} * sizeof(Elf64_Phdr);
    if (!in_image(image, eh->e_phoff, table_size))
        return Error::msg("kernel: truncated: program header table ends at " + hex_end(eh->e_phoff, table_size) +
                          " past the file size " + hex(image.size()));
    return *eh;
}

// Checks one PT_LOAD on its own; overlaps between segments are checked by the caller.
Result<Segment> check_segment(const Elf64_Phdr& ph, size_t index, std::span<const uint8_t> image,
                              const GuestMemory& mem) {
    if (!in_image(image, ph.p_offset, ph.p_filesz))
        return Error::msg("kernel: truncated: ELF program header " + std::to_string(index) +
                          ": file range ends at " + hex_end(ph.p_offset, ph.p_filesz) + " past the file size " +
                          hex(image.size()));
    if (ph.p_filesz > ph.p_memsz)
        return phdr_error(index, "file size " + hex(ph.p_filesz) + " exceeds memory size " + hex(ph.p_memsz));
    GuestAddress start(ph.p_paddr);
    auto end = start.checked_add(ph.p_memsz);
    if (!end)
        return phdr_error(index, "segment at " + hex(ph.p_paddr) + " of " + hex(ph.p_memsz) +
                                     " bytes wraps past 2^64");
    // Below 1 MiB live the boot structures the VMM writes (zero page, page tables, command
    // line) and the legacy EBDA/ROM holes.
    if (start < x86::kHighMemStart)
        return phdr_error(index, "segment " + range(start, *end) + " starts below " +
                                     hex(x86::kHighMemStart.value()) + ", which is reserved for boot structures");
    if (!mem.contains(start, ph.p_memsz))
        return phdr_error(index, "segment " + range(start, *end) + " is outside guest RAM");
    return Segment{index, ph.p_offset, ph.p_filesz, start, *end};
}

Result<std::vector<Segment>> check_segments(const Elf64_Ehdr& eh, std::span<const uint8_t> image,
                                            const GuestMemory& mem) {
    std::vector<Segment> segments;
    for (size_t i = 0; i < eh.e_phnum; ++i) {
        // In bounds: read_header checked the whole table.
        auto ph = read_at<Elf64_Phdr>(image, eh.e_phoff + i * sizeof(Elf64_Phdr));
        // Empty PT_LOADs place nothing; skipping them keeps them out of start/end.
        if (!ph || ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        auto seg = CW_TRY(check_segment(*ph, i, image, mem));
        for (const auto& other : segments) {
            if (seg.start < other.end && other.start < seg.end)
                return phdr_error(i, "segment " + range(seg.start, seg.end) + " overlaps segment " +
                                         std::to_string(other.index));
        }
        segments.push_back(seg);
    }
    if (segments.empty())
        return Error::msg("kernel: ELF has no loadable (PT_LOAD) segment");
    return segments;
}

Result<void> copy_segment(const Segment& seg, std::span<const uint8_t> image, GuestMemory& mem) {
    auto bytes = image.subspan(static_cast<size_t>(seg.offset), static_cast<size_t>(seg.filesz));
    CW_TRY(mem.write(seg.start, std::as_bytes(bytes)));
    // The bss: fresh guest RAM is zero, but the VMM may reuse memory (reboot), so zero it.
    uint64_t memsz = seg.end.value() - seg.start.value();
    if (memsz > seg.filesz)
        CW_TRY(mem.fill(seg.start.unchecked_add(seg.filesz), memsz - seg.filesz, 0));
    return {};
}

}  // namespace

bool looks_like_elf(std::span<const uint8_t> image) {
    return image.size() >= SELFMAG && std::memcmp(image.data(), ELFMAG, SELFMAG) == 0;
}

Result<LoadedKernel> load_elf(std::span<const uint8_t> image, GuestMemory& mem) {
    auto eh = CW_TRY(read_header(image));
    auto segments = CW_TRY(check_segments(eh, image, mem));

    GuestAddress entry(eh.e_entry);
    bool entry_loaded = std::any_of(segments.begin(), segments.end(),
                                    [&](const Segment& s) { return s.start <= entry && entry < s.end; });
    if (!entry_loaded)
        return Error::msg("kernel: ELF entry point " + hex(entry.value()) + " is not inside any loaded segment");

    for (const auto& seg : segments)
        CW_TRY(copy_segment(seg, image, mem));

    auto lowest = std::min_element(segments.begin(), segments.end(),
                                   [](const Segment& a, const Segment& b) { return a.start < b.start; });
    auto highest = std::max_element(segments.begin(), segments.end(),
                                    [](const Segment& a, const Segment& b) { return a.end < b.end; });
    return LoadedKernel{KernelFormat::Elf, entry, lowest->start, highest->end, std::nullopt};
}

}  // namespace cw::vmm::loader
