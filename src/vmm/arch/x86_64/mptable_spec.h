// Wire formats of the Intel MultiProcessor Specification, version 1.4 (May 1997), chapter 4
// "MP Configuration Table". All fields little-endian; every struct is naturally aligned at
// its spec size, so no packing is needed (the static_asserts prove there is no padding).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cw::vmm::x86::mp {

template <size_t N>
constexpr std::array<char, N - 1> tag(const char (&s)[N]) {
    std::array<char, N - 1> out{};
    for (size_t i = 0; i + 1 < N; ++i)
        out[i] = s[i];
    return out;
}

inline constexpr std::array<char, 4> kFloatingSignature = tag("_MP_");
inline constexpr std::array<char, 4> kConfigSignature = tag("PCMP");
inline constexpr uint8_t kSpecRev14 = 4;  // 4.1 / 4.2: "04h" for version 1.4

// 4.1 "MP Floating Pointer Structure". length counts 16-byte units.
struct FloatingPointer {
    std::array<char, 4> signature;    // 0x00 "_MP_"
    uint32_t config_table;            // 0x04 physical address of the configuration table
    uint8_t length;                   // 0x08 1
    uint8_t spec_rev;                 // 0x09
    uint8_t checksum;                 // 0x0a all 16 bytes sum to 0
    uint8_t feature1;                 // 0x0b 0: a configuration table is present
    uint8_t feature2;                 // 0x0c bit 7 IMCRP; 0: virtual wire mode
    std::array<uint8_t, 3> feature3;  // 0x0d reserved
};
static_assert(sizeof(FloatingPointer) == 16 && std::is_standard_layout_v<FloatingPointer>);
static_assert(offsetof(FloatingPointer, config_table) == 4 && offsetof(FloatingPointer, checksum) == 10);

// 4.2 "MP Configuration Table Header". The base table is this header followed
// by entry_count entries; base_table_length covers both and the checksum sums them to 0.
struct ConfigTableHeader {
    std::array<char, 4> signature;   // 0x00 "PCMP"
    uint16_t base_table_length;      // 0x04
    uint8_t spec_rev;                // 0x06
    uint8_t checksum;                // 0x07
    std::array<char, 8> oem_id;      // 0x08 space-padded
    std::array<char, 12> product_id; // 0x10 space-padded
    uint32_t oem_table;              // 0x1c 0: none
    uint16_t oem_table_size;         // 0x20
    uint16_t entry_count;            // 0x22
    uint32_t lapic_address;          // 0x24
    uint16_t extended_table_length;  // 0x28
    uint8_t extended_table_checksum; // 0x2a
    uint8_t reserved;                // 0x2b
};
static_assert(sizeof(ConfigTableHeader) == 44 && std::is_standard_layout_v<ConfigTableHeader>);
static_assert(offsetof(ConfigTableHeader, checksum) == 7 && offsetof(ConfigTableHeader, entry_count) == 0x22 &&
              offsetof(ConfigTableHeader, lapic_address) == 0x24);

// 4.3 "Base MP Configuration Table Entries": entry type codes.
enum EntryType : uint8_t { kProcessor = 0, kBus = 1, kIoApic = 2, kIoInterrupt = 3, kLocalInterrupt = 4 };

// 4.3.1 "Processor Entries". cpu_flags: bit 0 EN (usable), bit 1 BP (bootstrap).
inline constexpr uint8_t kCpuEnabled = 1 << 0;
inline constexpr uint8_t kCpuBootstrap = 1 << 1;
struct ProcessorEntry {
    uint8_t type;                     // 0x00 kProcessor
    uint8_t lapic_id;                 // 0x01
    uint8_t lapic_version;            // 0x02
    uint8_t cpu_flags;                // 0x03
    uint32_t cpu_signature;           // 0x04 CPUID.1:EAX stepping/model/family
    uint32_t feature_flags;           // 0x08 CPUID.1:EDX
    std::array<uint32_t, 2> reserved; // 0x0c
};
static_assert(sizeof(ProcessorEntry) == 20 && std::is_standard_layout_v<ProcessorEntry>);
static_assert(offsetof(ProcessorEntry, cpu_signature) == 4 && offsetof(ProcessorEntry, feature_flags) == 8);

// 4.3.2 "Bus Entries"; bus type strings are space-padded.
inline constexpr std::array<char, 6> kBusTypeIsa = tag("ISA   ");
struct BusEntry {
    uint8_t type;                 // 0x00 kBus
    uint8_t bus_id;               // 0x01
    std::array<char, 6> bus_type; // 0x02
};
static_assert(sizeof(BusEntry) == 8 && std::is_standard_layout_v<BusEntry>);

// 4.3.3 "I/O APIC Entries". flags bit 0 EN.
inline constexpr uint8_t kIoApicEnabled = 1 << 0;
struct IoApicEntry {
    uint8_t type;          // 0x00 kIoApic
    uint8_t ioapic_id;     // 0x01
    uint8_t version;       // 0x02
    uint8_t flags;         // 0x03
    uint32_t address;      // 0x04
};
static_assert(sizeof(IoApicEntry) == 8 && std::is_standard_layout_v<IoApicEntry>);
static_assert(offsetof(IoApicEntry, address) == 4);

// 4.3.4 Table 4-11 "Interrupt Type Values".
enum InterruptType : uint8_t { kInt = 0, kNmi = 1, kSmi = 2, kExtInt = 3 };
// flags: PO (bits 1:0) and EL (bits 3:2); 0 = "conforms to specifications of bus".
inline constexpr uint16_t kIrqFlagsConformToBus = 0;

// 4.3.4 "I/O Interrupt Assignment Entries" (Table 4-10).
struct IoInterruptEntry {
    uint8_t type;             // 0x00 kIoInterrupt
    uint8_t interrupt_type;   // 0x01
    uint16_t flags;           // 0x02
    uint8_t source_bus_id;    // 0x04
    uint8_t source_bus_irq;   // 0x05
    uint8_t dest_ioapic_id;   // 0x06
    uint8_t dest_ioapic_pin;  // 0x07 INTIN#
};
static_assert(sizeof(IoInterruptEntry) == 8 && std::is_standard_layout_v<IoInterruptEntry>);

// 4.3.5 "Local Interrupt Assignment Entries" (Table 4-12). dest_lapic_id 0xff: all.
inline constexpr uint8_t kAllLapics = 0xff;
struct LocalInterruptEntry {
    uint8_t type;             // 0x00 kLocalInterrupt
    uint8_t interrupt_type;   // 0x01
    uint16_t flags;           // 0x02
    uint8_t source_bus_id;    // 0x04
    uint8_t source_bus_irq;   // 0x05
    uint8_t dest_lapic_id;    // 0x06
    uint8_t dest_lapic_lint;  // 0x07 LINTIN#
};
static_assert(sizeof(LocalInterruptEntry) == 8 && std::is_standard_layout_v<LocalInterruptEntry>);

}  // namespace cw::vmm::x86::mp
