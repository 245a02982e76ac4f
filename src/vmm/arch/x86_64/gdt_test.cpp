#include "vmm/arch/x86_64/gdt.h"

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

}  // namespace

TEST_CASE("a flat 64-bit code descriptor decodes to a long-mode CS") {
    Segment cs = segment_from_descriptor(0x00af9b000000ffff, 0x10);
    CHECK(cs.base == 0);
    CHECK(cs.limit == 0xffffffff);
    CHECK(cs.selector == 0x10);
    CHECK(cs.type == 0xb);
    CHECK(cs.present == 1);
    CHECK(cs.dpl == 0);
    CHECK(cs.s == 1);
    CHECK(cs.l == 1);
    CHECK(cs.db == 0);
    CHECK(cs.g == 1);
    CHECK(cs.avl == 0);
}

TEST_CASE("a flat data descriptor decodes to a 32-bit read/write segment") {
    Segment ds = segment_from_descriptor(0x00cf93000000ffff, 0x18);
    CHECK(ds.type == 0x3);
    CHECK(ds.db == 1);
    CHECK(ds.l == 0);
    CHECK(ds.limit == 0xffffffff);
}

TEST_CASE("base and limit are reassembled from their split fields") {
    // base 0x12345678, limit 0xabcde byte-granular, DPL 3, AVL set.
    Segment s = segment_from_descriptor(0x121af2345678bcde, 0x2b);
    CHECK(s.base == 0x12345678);
    CHECK(s.limit == 0xabcde);
    CHECK(s.dpl == 3);
    CHECK(s.avl == 1);
    CHECK(s.g == 0);
}

TEST_CASE("the boot GDT has __BOOT_CS at 0x10 and __BOOT_DS at 0x18") {
    auto gdt = boot_gdt();
    CHECK(gdt[0] == 0);
    CHECK(gdt[1] == 0);
    CHECK(gdt[2] == 0x00af9b000000ffff);
    CHECK(gdt[3] == 0x00cf93000000ffff);
}

TEST_CASE("long-mode state matches the GDT written to guest memory") {
    auto mem = low_memory();
    auto state = setup_long_mode(mem);
    REQUIRE(state.ok());
    auto written = mem.read_obj<BootGdt>(kGdtAddr);
    REQUIRE(written.ok());
    CHECK(written.value() == boot_gdt());
    CHECK(state->gdt_base == kGdtAddr.value());
    CHECK(state->gdt_limit == sizeof(BootGdt) - 1);
    CHECK(state->cs == segment_from_descriptor(written.value()[2], kBootCsSelector));
    CHECK(state->ds == segment_from_descriptor(written.value()[3], kBootDsSelector));
    CHECK(state->ss == state->ds);
    CHECK(state->es == state->ds);
    CHECK(state->tr == segment_from_descriptor(written.value()[4], kBootTssSelector));
}

TEST_CASE("the boot TR is a present busy 64-bit TSS") {
    auto mem = low_memory();
    auto state = setup_long_mode(mem);
    REQUIRE(state.ok());
    CHECK(state->tr.type == 0xb);
    CHECK(state->tr.s == 0);
    CHECK(state->tr.present == 1);
    CHECK(state->tr.limit == 0x67);
}

TEST_CASE("long mode: paging, PAE and LME/LMA on, CR3 at the PML4") {
    auto mem = low_memory();
    auto state = setup_long_mode(mem);
    REQUIRE(state.ok());
    CHECK((state->cr0 & 0x80000001) == 0x80000001);
    CHECK((state->cr4 & 0x20) == 0x20);
    CHECK(state->efer == 0x500);
    CHECK(state->cr3 == kPml4Addr.value());
}

TEST_CASE("the boot IDT is zero") {
    auto mem = low_memory();
    REQUIRE(mem.fill(kIdtAddr, 16, 0xcc).ok());
    auto state = setup_long_mode(mem);
    REQUIRE(state.ok());
    CHECK(state->idt_base == kIdtAddr.value());
    auto idt = mem.read_obj<std::array<uint64_t, 2>>(kIdtAddr);
    REQUIRE(idt.ok());
    CHECK(idt.value() == std::array<uint64_t, 2>{0, 0});
}
