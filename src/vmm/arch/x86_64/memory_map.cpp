#include "vmm/arch/x86_64/memory_map.h"

#include <algorithm>
#include <string>

#include "base/hex.h"

namespace cw::vmm::x86 {

namespace {

constexpr uint64_t kLowRamEnd = kMmioGapStart.value();

// Appends the part of [start, end) that lies inside [lo, hi), if any.
void add_clipped(std::vector<E820Entry>& out, uint64_t start, uint64_t end, uint64_t lo, uint64_t hi,
                 uint32_t type) {
    uint64_t s = std::max(start, lo);
    uint64_t e = std::min(end, hi);
    if (s < e)
        out.push_back({s, e - s, type});
}

}  // namespace

Result<std::vector<RegionSpec>> ram_regions(uint64_t mem_size) {
    if (mem_size % kPageSize != 0)
        return Error::msg("guest memory size " + hex(mem_size) + " is not a multiple of 4 KiB");
    if (mem_size < kMinMemSize)
        return Error::msg("guest memory size " + std::to_string(mem_size / kMiB) + " MiB is below the minimum of " +
                          std::to_string(kMinMemSize / kMiB) + " MiB");
    if (mem_size <= kLowRamEnd)
        return std::vector<RegionSpec>{{GuestAddress(0), mem_size}};

    uint64_t high_size = mem_size - kLowRamEnd;
    if (high_size > kMaxPhysAddr - kHighRamStart.value())
        return Error::msg("guest memory size " + hex(mem_size) + " would end above " + hex(kMaxPhysAddr) +
                          ", the most a 4-level-paging guest kernel can address");
    return std::vector<RegionSpec>{{GuestAddress(0), kLowRamEnd}, {kHighRamStart, high_size}};
}

std::vector<E820Entry> e820_map(std::span<const RegionSpec> regions) {
    const uint64_t ebda = kEbdaStart.value();
    const uint64_t high_mem = kHighMemStart.value();
    std::vector<E820Entry> map;
    for (const auto& r : regions) {
        uint64_t start = r.start.value();
        uint64_t end = start + r.size;
        add_clipped(map, start, end, 0, ebda, kE820Ram);
        add_clipped(map, start, end, ebda, high_mem, kE820Reserved);
        add_clipped(map, start, end, high_mem, UINT64_MAX, kE820Ram);
    }
    std::sort(map.begin(), map.end(), [](const E820Entry& a, const E820Entry& b) { return a.addr < b.addr; });
    return map;
}

std::vector<E820Entry> e820_map(const GuestMemory& memory) {
    std::vector<RegionSpec> specs;
    for (const auto& r : memory.regions())
        specs.push_back({r.start, r.size});
    return e820_map(specs);
}

Result<void> reserve_e820(std::vector<E820Entry>& map, uint64_t addr, uint64_t size) {
    const uint64_t end = addr + size;
    auto holder = std::find_if(map.begin(), map.end(), [&](const E820Entry& e) {
        return e.type == kE820Ram && e.addr <= addr && end <= e.addr + e.size;
    });
    if (size == 0 || end < addr || holder == map.end())
        return Error::msg("e820: cannot reserve [" + hex(addr) + ", " + hex(end) + "): not inside one RAM range");
    const E820Entry ram = *holder;
    std::vector<E820Entry> pieces;
    if (ram.addr < addr)
        pieces.push_back({ram.addr, addr - ram.addr, kE820Ram});
    pieces.push_back({addr, size, kE820Reserved});
    if (end < ram.addr + ram.size)
        pieces.push_back({end, ram.addr + ram.size - end, kE820Ram});
    auto at = map.erase(holder);
    map.insert(at, pieces.begin(), pieces.end());
    return {};
}

}  // namespace cw::vmm::x86
