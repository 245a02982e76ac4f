#include "vmm/arch/x86_64/mptable.h"

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/hex.h"
#include "vmm/arch/x86_64/layout.h"
#include "vmm/arch/x86_64/mptable_spec.h"

namespace cw::vmm::x86 {

namespace {

using namespace mp;

constexpr uint8_t kIsaBusId = 0;
constexpr std::array<char, 8> kOemId = tag("CWVMM   ");
constexpr std::array<char, 12> kProductId = tag("MICROVM     ");
// Processor entries: family 6, model 0, stepping 0, with FPU (CPUID.1:EDX bit 0) and an
// on-chip APIC (bit 9). Linux reads only the APIC ID and flags from these entries.
constexpr uint32_t kCpuSignature = 6 << 8;
constexpr uint32_t kCpuFeatures = (1 << 0) | (1 << 9);
// LINT0 carries the 8259's ExtINT to the bootstrap processor (virtual wire mode), LINT1
// carries NMI to every CPU.
constexpr uint8_t kBspLapicId = 0;

constexpr uint64_t kLocalInterruptCount = 2;

constexpr uint64_t config_table_size(uint32_t vcpu_count) {
    return sizeof(ConfigTableHeader) + vcpu_count * sizeof(ProcessorEntry) + sizeof(BusEntry) + sizeof(IoApicEntry) +
           kIsaIrqCount * sizeof(IoInterruptEntry) + kLocalInterruptCount * sizeof(LocalInterruptEntry);
}

// The byte that makes the bytes of `data` sum to zero modulo 256.
uint8_t checksum(std::span<const uint8_t> data) {
    unsigned sum = 0;
    for (uint8_t b : data)
        sum += b;
    return static_cast<uint8_t>((0x100 - (sum & 0xff)) & 0xff);
}

class TableWriter {
public:
    template <class T>
    void add(const T& entry) {
        const auto* p = reinterpret_cast<const uint8_t*>(&entry);
        m_bytes.insert(m_bytes.end(), p, p + sizeof entry);
    }
    std::vector<uint8_t>& bytes() { return m_bytes; }

private:
    std::vector<uint8_t> m_bytes;
};

std::vector<uint8_t> config_table(uint32_t vcpu_count) {
    TableWriter w;
    w.add(ConfigTableHeader{});  // filled in below, once the entries are known
    for (uint32_t i = 0; i < vcpu_count; ++i) {
        auto flags = static_cast<uint8_t>(i == 0 ? kCpuEnabled | kCpuBootstrap : kCpuEnabled);
        w.add(ProcessorEntry{kProcessor, static_cast<uint8_t>(i), kLapicVersion, flags, kCpuSignature, kCpuFeatures,
                             {}});
    }
    w.add(BusEntry{kBus, kIsaBusId, kBusTypeIsa});
    const auto ioapic_id = static_cast<uint8_t>(vcpu_count);
    w.add(IoApicEntry{kIoApic, ioapic_id, kIoapicVersion, kIoApicEnabled, static_cast<uint32_t>(kIoapicAddr.value())});
    for (uint32_t irq = 0; irq < kIsaIrqCount; ++irq) {
        auto line = static_cast<uint8_t>(irq);
        w.add(IoInterruptEntry{kIoInterrupt, kInt, kIrqFlagsConformToBus, kIsaBusId, line, ioapic_id, line});
    }
    w.add(LocalInterruptEntry{kLocalInterrupt, kExtInt, kIrqFlagsConformToBus, kIsaBusId, 0, kBspLapicId, 0});
    w.add(LocalInterruptEntry{kLocalInterrupt, kNmi, kIrqFlagsConformToBus, kIsaBusId, 0, kAllLapics, 1});

    auto& bytes = w.bytes();
    ConfigTableHeader header{};
    header.signature = kConfigSignature;
    header.base_table_length = static_cast<uint16_t>(bytes.size());
    header.spec_rev = kSpecRev14;
    header.oem_id = kOemId;
    header.product_id = kProductId;
    header.entry_count = static_cast<uint16_t>(vcpu_count + 2 + kIsaIrqCount + kLocalInterruptCount);
    header.lapic_address = static_cast<uint32_t>(kLapicAddr.value());
    std::memcpy(bytes.data(), &header, sizeof header);
    bytes[offsetof(ConfigTableHeader, checksum)] = checksum(bytes);
    return bytes;
}

std::vector<uint8_t> floating_pointer(GuestAddress config_table_addr) {
    FloatingPointer fp{};
    fp.signature = kFloatingSignature;
    fp.config_table = static_cast<uint32_t>(config_table_addr.value());
    fp.length = 1;
    fp.spec_rev = kSpecRev14;
    TableWriter w;
    w.add(fp);
    auto& bytes = w.bytes();
    bytes[offsetof(FloatingPointer, checksum)] = checksum(bytes);
    return bytes;
}

}  // namespace

uint64_t mptable_size(uint32_t vcpu_count) { return sizeof(FloatingPointer) + config_table_size(vcpu_count); }

Result<void> write_mptable(GuestMemory& memory, uint32_t vcpu_count) {
    if (vcpu_count == 0 || vcpu_count > kMaxMpVcpus)
        return Error::msg("MP table: " + std::to_string(vcpu_count) + " vCPUs; must be between 1 and " +
                          std::to_string(kMaxMpVcpus));
    // The largest table is 1500 bytes: past the 1 KiB EBDA but well inside the reserved
    // range below 1 MiB, which is RAM-backed in this VM.
    static_assert(sizeof(FloatingPointer) + config_table_size(kMaxMpVcpus) <=
                      kHighMemStart.value() - kMpTableAddr.value(),
                  "the largest MP table ends below 1 MiB");

    const GuestAddress table_addr = kMpTableAddr.unchecked_add(sizeof(FloatingPointer));
    auto table = config_table(vcpu_count);
    auto fp = floating_pointer(table_addr);
    CW_TRY(memory.write(kMpTableAddr, std::as_bytes(std::span(fp))).context("MP table: floating pointer at " +
                                                                               hex(kMpTableAddr.value())));
    CW_TRY(memory.write(table_addr, std::as_bytes(std::span(table)))
               .context("MP table: configuration table at " + hex(table_addr.value())));
    return {};
}

}  // namespace cw::vmm::x86
