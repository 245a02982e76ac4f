#include "vmm/arch/x86_64/cpuid.h"

#include <algorithm>

namespace cw::vmm::x86 {

namespace {

// Leaf numbers and fields: Intel SDM vol. 2A, "CPUID"; AMD APM vol. 3, appendix E.
constexpr uint32_t kLeafVendor = 0x0;
constexpr uint32_t kLeafFeatures = 0x1;
constexpr uint32_t kLeafCacheParams = 0x4;
constexpr uint32_t kLeafThermalPower = 0x6;
constexpr uint32_t kLeafPerfMonitoring = 0xa;
constexpr uint32_t kLeafExtTopology = 0xb;
constexpr uint32_t kLeafExtTopologyV2 = 0x1f;
constexpr uint32_t kLeafAmdSizeIds = 0x80000008;
constexpr uint32_t kLeafAmdCacheTopology = 0x8000001d;
constexpr uint32_t kLeafAmdExtApicId = 0x8000001e;

// CPUID.1
constexpr uint32_t kClflushLineSize = 8;  // EBX[15:8], in 8-byte units: 64 bytes
constexpr unsigned kEcxPdcm = 15;         // IA32_PERF_CAPABILITIES: meaningless without a PMU
constexpr unsigned kEcxHypervisor = 31;
constexpr unsigned kEdxHtt = 28;  // EBX[23:16] is valid
// CPUID.6 EAX[2]: ARAT, the APIC timer keeps running in deep C-states. KVM's emulated
// LAPIC timer does, and KVM reports only this bit in leaf 6.
constexpr uint32_t kLeaf6Arat = 1 << 2;
// CPUID.0BH/1FH ECX[15:8] level types.
constexpr uint32_t kLevelTypeSmt = 1;
constexpr uint32_t kLevelTypeCore = 2;

struct Topology {
    uint32_t index;  // this vCPU, also its (x2)APIC ID
    uint32_t count;
};

// Replaces bits [lo, hi] of reg with value.
constexpr uint32_t set_field(uint32_t reg, unsigned lo, unsigned hi, uint32_t value) {
    uint32_t width_mask = hi - lo + 1 == 32 ? ~0u : (1u << (hi - lo + 1)) - 1;
    return (reg & ~(width_mask << lo)) | ((value & width_mask) << lo);
}
constexpr uint32_t set_bit(uint32_t reg, unsigned bit, bool on) { return set_field(reg, bit, bit, on ? 1 : 0); }

constexpr uint32_t ceil_log2(uint32_t n) {
    uint32_t bits = 0;
    while (bits < 31 && (1u << bits) < n)
        ++bits;
    return bits;
}
constexpr uint32_t next_pow2(uint32_t n) { return 1u << ceil_log2(n); }

static_assert(set_field(0xffffffff, 8, 15, 8) == 0xffff08ff);
static_assert(ceil_log2(1) == 0 && ceil_log2(2) == 1 && ceil_log2(3) == 2 && ceil_log2(64) == 6);

// "AuthenticAMD" and "HygonGenuine" in EBX, EDX, ECX order.
bool is_amd_like(const std::vector<CpuidEntry>& entries) {
    auto vendor = std::find_if(entries.begin(), entries.end(), [](const auto& e) { return e.function == kLeafVendor; });
    if (vendor == entries.end())
        return false;
    bool amd = vendor->ebx == 0x68747541 && vendor->edx == 0x69746e65 && vendor->ecx == 0x444d4163;
    bool hygon = vendor->ebx == 0x6f677948 && vendor->edx == 0x6e65476e && vendor->ecx == 0x656e6975;
    return amd || hygon;
}

void feature_info(CpuidEntry& e, Topology t) {
    e.ebx = set_field(e.ebx, 8, 15, kClflushLineSize);
    e.ebx = set_field(e.ebx, 16, 23, std::min<uint32_t>(next_pow2(t.count), 0xff));  // addressable IDs
    e.ebx = set_field(e.ebx, 24, 31, t.index);                                      // initial APIC ID
    e.ecx = set_bit(e.ecx, kEcxPdcm, false);
    e.ecx = set_bit(e.ecx, kEcxHypervisor, true);
    e.edx = set_bit(e.edx, kEdxHtt, t.count > 1);
}

// Leaf 4 (Intel) and 0x8000001D (AMD) share the layout of EAX: type [4:0], level [7:5],
// logical processors sharing the cache - 1 [25:14]. Each vCPU is a single-thread core, so
// L1 and L2 are private and L3 is shared by the whole package.
void cache_sharing(CpuidEntry& e, Topology t) {
    uint32_t type = e.eax & 0x1f;
    if (type == 0)  // no more caches
        return;
    uint32_t level = (e.eax >> 5) & 0x7;
    e.eax = set_field(e.eax, 14, 25, level >= 3 ? next_pow2(t.count) - 1 : 0);
}

void intel_cache_params(CpuidEntry& e, Topology t) {
    if ((e.eax & 0x1f) == 0)
        return;
    cache_sharing(e, t);
    e.eax = set_field(e.eax, 26, 31, t.count - 1);  // cores in the package - 1
}

// Leaves 0xB and 0x1F: subleaf 0 is the SMT level (one thread per core), subleaf 1 the
// core level (count cores, x2APIC ID shifted by ceil(log2(count)) gives the package),
// later subleaves are invalid. EDX is this vCPU's x2APIC ID on every subleaf.
void extended_topology(CpuidEntry& e, Topology t) {
    e.edx = t.index;
    switch (e.index) {
    case 0:
        e.eax = 0;
        e.ebx = 1;
        e.ecx = (kLevelTypeSmt << 8) | 0;
        break;
    case 1:
        e.eax = ceil_log2(t.count);
        e.ebx = t.count;
        e.ecx = (kLevelTypeCore << 8) | 1;
        break;
    default:
        e.eax = 0;
        e.ebx = 0;
        e.ecx = e.index & 0xff;  // level type 0: invalid
        break;
    }
}

// AMD 0x8000001E: extended APIC ID, core (compute unit) ID with one thread per core, node 0
// of a single-node package.
void amd_ext_apic_id(CpuidEntry& e, Topology t) {
    e.eax = t.index;
    e.ebx = t.index & 0xff;
    e.ecx = 0;
    e.edx = 0;
}

// AMD 0x80000008 ECX: NC [7:0] = cores - 1, ApicIdSize [15:12] = APIC ID bits for the core.
void amd_size_ids(CpuidEntry& e, Topology t) {
    e.ecx = set_field(e.ecx, 0, 7, t.count - 1);
    e.ecx = set_field(e.ecx, 12, 15, ceil_log2(t.count));
}

}  // namespace

std::vector<CpuidEntry> filter_cpuid(std::vector<CpuidEntry> entries, uint32_t vcpu_index, uint32_t vcpu_count) {
    const Topology t{vcpu_index, std::max<uint32_t>(vcpu_count, 1)};
    const bool amd = is_amd_like(entries);
    for (auto& e : entries) {
        switch (e.function) {
        case kLeafFeatures:
            feature_info(e, t);
            break;
        case kLeafCacheParams:
            intel_cache_params(e, t);
            break;
        case kLeafThermalPower:
            e.eax &= kLeaf6Arat;
            e.ebx = e.ecx = e.edx = 0;
            break;
        case kLeafPerfMonitoring:  // no PMU: version 0 and no counters
            e.eax = e.ebx = e.ecx = e.edx = 0;
            break;
        case kLeafExtTopology:
        case kLeafExtTopologyV2:
            extended_topology(e, t);
            break;
        case kLeafAmdSizeIds:
            if (amd)  // ECX is reserved on Intel
                amd_size_ids(e, t);
            break;
        case kLeafAmdCacheTopology:
            cache_sharing(e, t);
            break;
        case kLeafAmdExtApicId:
            amd_ext_apic_id(e, t);
            break;
        default:
            break;
        }
    }
    return entries;
}

}  // namespace cw::vmm::x86
