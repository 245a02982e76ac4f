#include "vmm/arch/x86_64/mptable.h"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <numeric>
#include <vector>

#include "vmm/arch/x86_64/layout.h"
#include "vmm/arch/x86_64/mptable_spec.h"

using namespace cw::vmm;
using namespace cw::vmm::x86;

namespace {

GuestMemory low_memory() {
    std::array specs{RegionSpec{GuestAddress(0), 2 * kMiB}};
    auto m = GuestMemory::create_anonymous(specs);
    REQUIRE(m.ok());
    return std::move(m).value();
}

std::vector<uint8_t> read_bytes(const GuestMemory& mem, uint64_t addr, uint64_t len) {
    std::vector<uint8_t> out(len);
    REQUIRE(mem.read(GuestAddress(addr), std::as_writable_bytes(std::span(out))).ok());
    return out;
}

unsigned byte_sum(const std::vector<uint8_t>& bytes) {
    return std::accumulate(bytes.begin(), bytes.end(), 0u) & 0xff;
}

struct Parsed {
    mp::FloatingPointer fp;
    mp::ConfigTableHeader header;
    std::vector<uint8_t> table;  // header plus entries
};

Parsed parse(const GuestMemory& mem) {
    Parsed p{};
    p.fp = mem.read_obj<mp::FloatingPointer>(kMpTableAddr).value();
    p.header = mem.read_obj<mp::ConfigTableHeader>(GuestAddress(p.fp.config_table)).value();
    p.table = read_bytes(mem, p.fp.config_table, p.header.base_table_length);
    return p;
}

// Entries of one type, each as its raw bytes.
std::vector<std::vector<uint8_t>> entries_of(const Parsed& p, uint8_t type) {
    std::vector<std::vector<uint8_t>> out;
    size_t off = sizeof(mp::ConfigTableHeader);
    for (unsigned i = 0; i < p.header.entry_count; ++i) {
        REQUIRE(off < p.table.size());
        size_t len = p.table[off] == mp::kProcessor ? sizeof(mp::ProcessorEntry) : 8;
        REQUIRE(off + len <= p.table.size());
        if (p.table[off] == type)
            out.emplace_back(p.table.begin() + static_cast<long>(off), p.table.begin() + static_cast<long>(off + len));
        off += len;
    }
    CHECK(off == p.table.size());
    return out;
}

template <class T>
T as(const std::vector<uint8_t>& bytes) {
    T v;
    REQUIRE(bytes.size() == sizeof v);
    std::memcpy(&v, bytes.data(), sizeof v);
    return v;
}

}  // namespace

TEST_CASE("the floating pointer is valid and points at the configuration table") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 1).ok());
    auto p = parse(mem);
    CHECK(std::memcmp(p.fp.signature.data(), "_MP_", 4) == 0);
    CHECK(p.fp.config_table == kMpTableAddr.value() + 16);
    CHECK(p.fp.length == 1);
    CHECK(p.fp.spec_rev == 4);
    CHECK(byte_sum(read_bytes(mem, kMpTableAddr.value(), 16)) == 0);
}

TEST_CASE("the configuration table checksums to zero and names the LAPIC") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 2).ok());
    auto p = parse(mem);
    CHECK(std::memcmp(p.header.signature.data(), "PCMP", 4) == 0);
    CHECK(byte_sum(p.table) == 0);
    CHECK(p.header.lapic_address == kLapicAddr.value());
    CHECK(p.fp.config_table + p.header.base_table_length == kMpTableAddr.value() + mptable_size(2));
}

TEST_CASE("one processor entry per vCPU, only the first is the bootstrap processor") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 4).ok());
    auto p = parse(mem);
    auto cpus = entries_of(p, mp::kProcessor);
    REQUIRE(cpus.size() == 4);
    for (unsigned i = 0; i < 4; ++i) {
        auto cpu = as<mp::ProcessorEntry>(cpus[i]);
        CHECK(cpu.lapic_id == i);
        CHECK((cpu.cpu_flags & mp::kCpuEnabled) != 0);
        CHECK(((cpu.cpu_flags & mp::kCpuBootstrap) != 0) == (i == 0));
    }
}

TEST_CASE("one ISA bus and one IOAPIC whose ID follows the LAPIC IDs") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 3).ok());
    auto p = parse(mem);
    auto buses = entries_of(p, mp::kBus);
    REQUIRE(buses.size() == 1);
    CHECK(std::memcmp(as<mp::BusEntry>(buses[0]).bus_type.data(), "ISA   ", 6) == 0);
    auto ioapics = entries_of(p, mp::kIoApic);
    REQUIRE(ioapics.size() == 1);
    auto ioapic = as<mp::IoApicEntry>(ioapics[0]);
    CHECK(ioapic.ioapic_id == 3);
    CHECK(ioapic.version == 0x11);
    CHECK(ioapic.address == kIoapicAddr.value());
}

TEST_CASE("ISA IRQs 0..15 go to the same-numbered IOAPIC pins") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 2).ok());
    auto p = parse(mem);
    auto irqs = entries_of(p, mp::kIoInterrupt);
    REQUIRE(irqs.size() == 16);
    for (unsigned i = 0; i < 16; ++i) {
        auto e = as<mp::IoInterruptEntry>(irqs[i]);
        CHECK(e.interrupt_type == mp::kInt);
        CHECK(e.source_bus_irq == i);
        CHECK(e.dest_ioapic_pin == i);
        CHECK(e.dest_ioapic_id == 2);
    }
}

TEST_CASE("LINT0 is ExtINT and LINT1 is NMI") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, 1).ok());
    auto p = parse(mem);
    auto lints = entries_of(p, mp::kLocalInterrupt);
    REQUIRE(lints.size() == 2);
    auto lint0 = as<mp::LocalInterruptEntry>(lints[0]);
    auto lint1 = as<mp::LocalInterruptEntry>(lints[1]);
    CHECK(lint0.interrupt_type == mp::kExtInt);
    CHECK(lint0.dest_lapic_lint == 0);
    CHECK(lint1.interrupt_type == mp::kNmi);
    CHECK(lint1.dest_lapic_lint == 1);
    CHECK(lint1.dest_lapic_id == 0xff);
}

TEST_CASE("the entry count matches the entries for the largest table, which ends below 1 MiB") {
    auto mem = low_memory();
    REQUIRE(write_mptable(mem, kMaxMpVcpus).ok());
    auto p = parse(mem);
    CHECK(p.header.entry_count == kMaxMpVcpus + 1 + 1 + 16 + 2);
    CHECK(byte_sum(p.table) == 0);
    CHECK(entries_of(p, mp::kProcessor).size() == kMaxMpVcpus);
    CHECK(kMpTableAddr.value() + mptable_size(kMaxMpVcpus) <= kHighMemStart.value());
}

TEST_CASE("zero vCPUs or more than the limit are refused") {
    auto mem = low_memory();
    auto zero = write_mptable(mem, 0);
    REQUIRE_FALSE(zero.ok());
    CHECK(zero.error().message().find("between 1 and 64") != std::string::npos);
    CHECK_FALSE(write_mptable(mem, kMaxMpVcpus + 1).ok());
}
