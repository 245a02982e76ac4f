#include "vmm/arch/x86_64/page_tables.h"

#include <doctest/doctest.h>

#include <array>

#include "vmm/arch/x86_64/layout.h"

using namespace cw::vmm;
using namespace cw::vmm::x86;

namespace {

GuestMemory low_memory() {
    std::array specs{RegionSpec{GuestAddress(0), 2 * kMiB}};
    auto m = GuestMemory::create_anonymous(specs);
    REQUIRE(m.ok());
    return std::move(m).value();
}

uint64_t entry(const GuestMemory& mem, GuestAddress table, uint64_t index) {
    auto v = mem.read_obj<uint64_t>(table.unchecked_add(index * 8));
    REQUIRE(v.ok());
    return v.value();
}

// Walks the tables the way the MMU does for a 2 MiB mapping.
uint64_t translate(const GuestMemory& mem, uint64_t cr3, uint64_t va) {
    uint64_t pml4e = entry(mem, GuestAddress(cr3), (va >> 39) & 0x1ff);
    REQUIRE((pml4e & 1) == 1);
    uint64_t pdpte = entry(mem, GuestAddress(pml4e & ~0xfffULL), (va >> 30) & 0x1ff);
    REQUIRE((pdpte & 1) == 1);
    uint64_t pde = entry(mem, GuestAddress(pdpte & ~0xfffULL), (va >> 21) & 0x1ff);
    REQUIRE((pde & 0x81) == 0x81);
    return (pde & ~0x1fffffULL) | (va & 0x1fffff);
}

}  // namespace

TEST_CASE("page tables return the PML4 address as CR3") {
    auto mem = low_memory();
    auto cr3 = write_page_tables(mem);
    REQUIRE(cr3.ok());
    CHECK(cr3.value() == kPml4Addr.value());
}

TEST_CASE("page tables identity-map [0, 4 GiB)") {
    auto mem = low_memory();
    auto cr3 = write_page_tables(mem);
    REQUIRE(cr3.ok());
    for (uint64_t va : {uint64_t{0}, kZeroPageAddr.value(), uint64_t{0x1234567}, kMmioGapStart.value() + 0x42,
                        kIdentityMappedSize - 1})
        CHECK(translate(mem, cr3.value(), va) == va);
}

TEST_CASE("nothing at or above 4 GiB is mapped") {
    auto mem = low_memory();
    REQUIRE(write_page_tables(mem).ok());
    CHECK(entry(mem, kPdptAddr, 4) == 0);
    CHECK(entry(mem, kPml4Addr, 1) == 0);
}

TEST_CASE("an encryption mask (the SEV C-bit) is in every entry's address, not in CR3") {
    auto mem = low_memory();
    constexpr uint64_t kCbit = uint64_t{1} << 51;
    auto cr3 = write_page_tables(mem, kCbit);
    REQUIRE(cr3.ok());
    CHECK(cr3.value() == kPml4Addr.value());
    CHECK(entry(mem, kPml4Addr, 0) == (kPdptAddr.value() | kCbit | 0x3));
    for (uint64_t i = 0; i < 4; ++i)
        CHECK(entry(mem, kPdptAddr, i) == ((kPdAddr.value() + i * 0x1000) | kCbit | 0x3));
    CHECK(entry(mem, kPdAddr, 0) == (kCbit | 0x83));
    CHECK(entry(mem, GuestAddress(kPdAddr.value() + 3 * 0x1000), 511) == ((kIdentityMappedSize - 0x200000) | kCbit | 0x83));
    CHECK(entry(mem, kPdptAddr, 4) == 0);
}
