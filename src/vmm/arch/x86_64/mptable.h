// The MP table: how a guest booted with acpi=off learns its CPUs, its IOAPIC and how the
// ISA interrupts reach it (Intel MultiProcessor Specification 1.4; wire formats in
// mptable_spec.h).
//
// The floating pointer sits at kMpTableAddr, the start of the EBDA, one of the places
// Linux scans (smp_scan_config); the configuration table follows it directly. Both lie in
// [kEbdaStart, 1 MiB), which the e820 map reports as reserved.
//
// Interrupt routing: ISA IRQ n goes to IOAPIC pin n for n in 0..15, IRQ 0 included. That
// is what KVM's in-kernel irqchip does without a custom GSI routing table
// (kvm_setup_default_irq_routing routes GSI n to IOAPIC pin n, and the in-kernel PIT
// raises GSI 0), and what Firecracker's MP table declares. Real boards and QEMU wire the
// 8254 to pin 2 instead; QEMU installs its own GSI routing to match, which this VMM does not.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::x86 {

// The guest kernel is built with NR_CPUS=64; LAPIC IDs 0..63 and the IOAPIC's ID (the
// vCPU count) all fit the table's 8-bit ID fields.
inline constexpr uint32_t kMaxMpVcpus = 64;
// ISA IRQs 0..15, identity-mapped onto the first 16 of the IOAPIC's 24 pins.
inline constexpr uint32_t kIsaIrqCount = 16;
// Versions KVM's in-kernel devices report: IOAPIC version register 0x11, LAPIC 0x14.
inline constexpr uint8_t kIoapicVersion = 0x11;
inline constexpr uint8_t kLapicVersion = 0x14;

// Bytes of floating pointer plus configuration table for vcpu_count CPUs.
[[nodiscard]] uint64_t mptable_size(uint32_t vcpu_count);

// Writes the floating pointer and configuration table for vcpu_count CPUs (LAPIC IDs
// 0..vcpu_count-1, CPU 0 the bootstrap processor). Refuses 0 or more than kMaxMpVcpus.
[[nodiscard]] Result<void> write_mptable(GuestMemory& memory, uint32_t vcpu_count);

}  // namespace cw::vmm::x86
