// CPUID for one vCPU of an N-vCPU VM, derived from KVM_GET_SUPPORTED_CPUID.
//
// KVM reports what it can virtualise, with the host's topology and the host CPU's APIC
// ID. This adjusts the leaves that describe identity and topology so each vCPU reports its
// own APIC ID and the guest sees N single-thread cores in one package, and hides what the
// VM does not offer (PMU, thermal and power management). It adds no feature KVM did not
// report, except the hypervisor bit. Leaves absent from the input stay absent; the KVM
// paravirt leaves (0x40000000 and up) and all others pass through unchanged. Modelled on
// Firecracker's cpuid normalisation (src/vmm/src/cpu_config/x86_64/cpuid/).
#pragma once

#include <cstdint>
#include <vector>

namespace cw::vmm::x86 {

// One CPUID result; mirrors struct kvm_cpuid_entry2 (flags: KVM_CPUID_FLAG_*, kept as given).
struct CpuidEntry {
    uint32_t function = 0, index = 0, flags = 0;
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
    friend bool operator==(const CpuidEntry&, const CpuidEntry&) = default;
};

// vcpu_index in [0, vcpu_count), vcpu_count in [1, 255] (the 8-bit APIC ID fields; the MP
// table limits it further). The vCPU's APIC ID is its index.
[[nodiscard]] std::vector<CpuidEntry> filter_cpuid(std::vector<CpuidEntry> supported, uint32_t vcpu_index,
                                                   uint32_t vcpu_count);

}  // namespace cw::vmm::x86
