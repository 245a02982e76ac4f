// Guest RAM layout and the e820 map that describes it to the kernel.
//
// RAM fills [0, kMmioGapStart); what does not fit continues at 4 GiB, so the MMIO hole
// (virtio-mmio windows, IOAPIC, LAPIC, KVM's TSS pages) is never backed by RAM.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "vmm/arch/x86_64/layout.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::x86 {

// Below this a kernel plus initrd does not boot in practice; VmConfig's --mem floor agrees.
inline constexpr uint64_t kMinMemSize = 32 * kMiB;
// A guest kernel with 4-level paging addresses at most 2^46 bytes of physical memory
// (MAX_PHYSMEM_BITS); RAM ending above that would be unusable to it.
inline constexpr uint64_t kMaxPhysAddr = uint64_t{1} << 46;
inline constexpr uint64_t kPageSize = 4 * kKiB;

// e820 address range types (ACPI 6.5, 15.1 "Address Range Types"; <asm/e820.h>).
inline constexpr uint32_t kE820Ram = 1;
inline constexpr uint32_t kE820Reserved = 2;

struct E820Entry {
    uint64_t addr = 0;
    uint64_t size = 0;
    uint32_t type = 0;
    friend bool operator==(const E820Entry&, const E820Entry&) = default;
};

// The RAM regions for mem_size bytes of guest memory. mem_size must be a multiple of 4 KiB,
// at least kMinMemSize, and its RAM must end at or below kMaxPhysAddr.
[[nodiscard]] Result<std::vector<RegionSpec>> ram_regions(uint64_t mem_size);

// The e820 map for these RAM regions, sorted by address: RAM everywhere except
// [kEbdaStart, 1 MiB), which is reserved (the MP table lives there, and legacy software
// expects the VGA hole and BIOS area not to be RAM).
[[nodiscard]] std::vector<E820Entry> e820_map(std::span<const RegionSpec> regions);
[[nodiscard]] std::vector<E820Entry> e820_map(const GuestMemory& memory);

// Marks [addr, addr + size) reserved in `map` (sorted, as e820_map gives it), splitting the
// RAM entry that holds it. The range must lie inside one RAM entry: reserving anything else
// is a VMM layout bug, refused naming the range.
[[nodiscard]] Result<void> reserve_e820(std::vector<E820Entry>& map, uint64_t addr, uint64_t size);

}  // namespace cw::vmm::x86
