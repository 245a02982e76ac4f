// Guest RAM: a fixed set of non-overlapping regions, each backed by one host mapping.
//
// Every access names a guest address and a length and is checked as a whole: the range
// must not wrap and must lie inside a single region. Guest-controlled addresses (virtqueue
// descriptors, boot structures the guest could change) are hostile input; there is no
// start-only "host pointer for GPA" accessor on purpose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "base/result.h"
#include "vmm/memory/guest_address.h"

namespace cw::vmm {

struct RegionSpec {
    GuestAddress start;
    uint64_t size = 0;
};

template <class T>
concept GuestPod = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>;

class GuestMemory {
public:
    struct Region {
        GuestAddress start;
        uint64_t size;
        uint8_t* host;
    };

    // Maps anonymous memory for each region. Regions must be page-aligned, non-empty and
    // must not overlap or wrap.
    static Result<GuestMemory> create_anonymous(std::span<const RegionSpec> specs);

    GuestMemory(GuestMemory&& other) noexcept;
    GuestMemory& operator=(GuestMemory&& other) noexcept;
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;
    ~GuestMemory();

    [[nodiscard]] Result<void> read(GuestAddress addr, std::span<std::byte> out) const;
    [[nodiscard]] Result<void> write(GuestAddress addr, std::span<const std::byte> data);
    [[nodiscard]] Result<void> fill(GuestAddress addr, uint64_t len, uint8_t value);

    // A view of [addr, addr + len) when it lies inside one region. The span stays valid as
    // long as this GuestMemory lives; the guest may change its contents at any time, so copy
    // before validating (no time-of-check/time-of-use on guest data).
    [[nodiscard]] Result<std::span<uint8_t>> slice(GuestAddress addr, uint64_t len) const;

    template <GuestPod T>
    [[nodiscard]] Result<T> read_obj(GuestAddress addr) const {
        T value;
        CW_TRY(read(addr, std::as_writable_bytes(std::span(&value, 1))));
        return value;
    }
    template <GuestPod T>
    [[nodiscard]] Result<void> write_obj(GuestAddress addr, const T& value) {
        return write(addr, std::as_bytes(std::span(&value, 1)));
    }

    // True when [addr, addr + len) lies inside one region (len 0 is in range at any
    // address inside a region or at its end).
    [[nodiscard]] bool contains(GuestAddress addr, uint64_t len) const;
    [[nodiscard]] const std::vector<Region>& regions() const { return m_regions; }
    [[nodiscard]] uint64_t total_size() const;

private:
    explicit GuestMemory(std::vector<Region> regions) : m_regions(std::move(regions)) {}
    [[nodiscard]] const Region* find(GuestAddress addr, uint64_t len) const;
    void unmap_all();

    std::vector<Region> m_regions;
};

}  // namespace cw::vmm
