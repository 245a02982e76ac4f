#include "vmm/memory/guest_memory.h"
#include "base/hex.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace cw::vmm {

namespace {

constexpr uint64_t kPageSize = 4096;


Error out_of_range(GuestAddress addr, uint64_t len) {
    return Error::msg("guest memory: range " + hex(addr.value()) + "+" + hex(len) + " is outside guest RAM");
}

}  // namespace

Result<GuestMemory> GuestMemory::create_anonymous(std::span<const RegionSpec> specs) {
    if (specs.empty())
        return Error::msg("guest memory: no regions");
    std::vector<RegionSpec> sorted(specs.begin(), specs.end());
    std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.start < b.start; });
    for (size_t i = 0; i < sorted.size(); ++i) {
        const auto& s = sorted[i];
        if (s.size == 0 || s.size % kPageSize != 0 || s.start.value() % kPageSize != 0)
            return Error::msg("guest memory: region at " + hex(s.start.value()) + " is empty or not page-aligned");
        auto end = s.start.checked_add(s.size);
        if (!end)
            return Error::msg("guest memory: region at " + hex(s.start.value()) + " wraps");
        if (i + 1 < sorted.size() && *end > sorted[i + 1].start)
            return Error::msg("guest memory: regions at " + hex(s.start.value()) + " and " +
                              hex(sorted[i + 1].start.value()) + " overlap");
    }

    GuestMemory memory({});
    for (const auto& s : sorted) {
        // MAP_NORESERVE: guest RAM is populated lazily as the guest touches it.
        void* p = ::mmap(nullptr, s.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            return Error::sys("guest memory: mmap of " + hex(s.size) + " bytes");
        memory.m_regions.push_back({s.start, s.size, static_cast<uint8_t*>(p)});
    }
    return memory;
}

GuestMemory::GuestMemory(GuestMemory&& other) noexcept : m_regions(std::move(other.m_regions)) {
    other.m_regions.clear();
}

GuestMemory& GuestMemory::operator=(GuestMemory&& other) noexcept {
    if (this != &other) {
        unmap_all();
        m_regions = std::move(other.m_regions);
        other.m_regions.clear();
    }
    return *this;
}

GuestMemory::~GuestMemory() { unmap_all(); }

void GuestMemory::unmap_all() {
    for (const auto& r : m_regions)
        ::munmap(r.host, r.size);
    m_regions.clear();
}

const GuestMemory::Region* GuestMemory::find(GuestAddress addr, uint64_t len) const {
    for (const auto& r : m_regions) {
        if (addr < r.start)
            continue;
        uint64_t offset = addr.value() - r.start.value();
        if (offset <= r.size && len <= r.size - offset)
            return &r;
    }
    return nullptr;
}

bool GuestMemory::contains(GuestAddress addr, uint64_t len) const { return find(addr, len) != nullptr; }

uint64_t GuestMemory::total_size() const {
    uint64_t total = 0;
    for (const auto& r : m_regions)
        total += r.size;
    return total;
}

Result<std::span<uint8_t>> GuestMemory::slice(GuestAddress addr, uint64_t len) const {
    const Region* r = find(addr, len);
    if (r == nullptr)
        return out_of_range(addr, len);
    return std::span<uint8_t>(r->host + (addr.value() - r->start.value()), len);
}

Result<void> GuestMemory::read(GuestAddress addr, std::span<std::byte> out) const {
    auto s = CW_TRY(slice(addr, out.size()));
    if (!s.empty())
        std::memcpy(out.data(), s.data(), s.size());
    return {};
}

Result<void> GuestMemory::write(GuestAddress addr, std::span<const std::byte> data) {
    auto s = CW_TRY(slice(addr, data.size()));
    if (!s.empty())
        std::memcpy(s.data(), data.data(), data.size());
    return {};
}

Result<void> GuestMemory::fill(GuestAddress addr, uint64_t len, uint8_t value) {
    auto s = CW_TRY(slice(addr, len));
    std::memset(s.data(), value, s.size());
    return {};
}

}  // namespace cw::vmm
