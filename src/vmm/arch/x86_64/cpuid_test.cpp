#include "vmm/arch/x86_64/cpuid.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace cw::vmm::x86;

namespace {

constexpr uint32_t kSignificantIndex = 1;  // KVM_CPUID_FLAG_SIGNIFCANT_INDEX

// A trimmed KVM_GET_SUPPORTED_CPUID from an Intel host whose CPU has APIC ID 0x12 and 2
// threads per core.
std::vector<CpuidEntry> intel_supported() {
    return {
        {0x0, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69},  // GenuineIntel
        {0x1, 0, 0, 0x000906ea, 0x12100800, 0x77fafbff, 0xbfebfbff & ~(1u << 28)},
        {0x4, 0, kSignificantIndex, 0x1c004121, 0x01c0003f, 0x3f, 0},    // L1d
        {0x4, 1, kSignificantIndex, 0x1c004122, 0x01c0003f, 0x3f, 0},    // L1i
        {0x4, 2, kSignificantIndex, 0x1c004143, 0x00c0003f, 0x3ff, 0},   // L2
        {0x4, 3, kSignificantIndex, 0x1c03c163, 0x03c0003f, 0x2fff, 6},  // L3
        {0x4, 4, kSignificantIndex, 0, 0, 0, 0},
        {0x6, 0, 0, 0x77, 0x2, 0x9, 0},
        {0xa, 0, 0, 0x07300404, 0, 0, 0x603},
        {0xb, 0, kSignificantIndex, 1, 2, 0x100, 0x12},
        {0xb, 1, kSignificantIndex, 4, 12, 0x201, 0x12},
        {0xb, 2, kSignificantIndex, 0, 0, 0x2, 0x12},
        {0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d},
        {0x80000008, 0, 0, 0x3027, 0, 0, 0},
    };
}

std::vector<CpuidEntry> amd_supported() {
    return {
        {0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65},  // AuthenticAMD
        {0x1, 0, 0, 0x00a20f10, 0x05100800, 0x7ed8320b, 0x178bfbff},
        {0x80000008, 0, 0, 0x3030, 0, 0x0000700f, 0},
        {0x8000001e, 0, 0, 0x5, 0x102, 0x0, 0},
    };
}

const CpuidEntry& find(const std::vector<CpuidEntry>& entries, uint32_t function, uint32_t index = 0) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const CpuidEntry& e) { return e.function == function && e.index == index; });
    REQUIRE(it != entries.end());
    return *it;
}

uint32_t bits(uint32_t v, unsigned lo, unsigned hi) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }

}  // namespace

TEST_CASE("leaf 1 on a single-vCPU VM: APIC ID 0, no HTT, hypervisor bit") {
    auto out = filter_cpuid(intel_supported(), 0, 1);
    const auto& l1 = find(out, 0x1);
    CHECK(bits(l1.ebx, 24, 31) == 0);
    CHECK(bits(l1.ebx, 16, 23) == 1);
    CHECK(bits(l1.ebx, 8, 15) == 8);
    CHECK(bits(l1.ecx, 31, 31) == 1);
    CHECK(bits(l1.ecx, 15, 15) == 0);
    CHECK(bits(l1.edx, 28, 28) == 0);
    CHECK(l1.eax == 0x000906ea);
}

TEST_CASE("leaf 1 on a two-vCPU VM: each vCPU its own APIC ID, HTT set") {
    auto cpu0 = filter_cpuid(intel_supported(), 0, 2);
    auto cpu1 = filter_cpuid(intel_supported(), 1, 2);
    CHECK(bits(find(cpu0, 0x1).ebx, 24, 31) == 0);
    CHECK(bits(find(cpu1, 0x1).ebx, 24, 31) == 1);
    CHECK(bits(find(cpu1, 0x1).ebx, 16, 23) == 2);
    CHECK(bits(find(cpu1, 0x1).edx, 28, 28) == 1);
}

TEST_CASE("no other feature bits change") {
    auto out = filter_cpuid(intel_supported(), 0, 2);
    auto in = intel_supported();
    const uint32_t changed_ecx = (1u << 15) | (1u << 31);
    CHECK((find(out, 0x1).ecx & ~changed_ecx) == (find(in, 0x1).ecx & ~changed_ecx));
    CHECK((find(out, 0x1).edx & ~(1u << 28)) == (find(in, 0x1).edx & ~(1u << 28)));
}

TEST_CASE("the PMU leaf is zero") {
    auto out = filter_cpuid(intel_supported(), 0, 1);
    CHECK(find(out, 0xa) == CpuidEntry{0xa, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("leaf 6 keeps only ARAT") {
    auto out = filter_cpuid(intel_supported(), 0, 1);
    CHECK(find(out, 0x6) == CpuidEntry{0x6, 0, 0, 0x4, 0, 0, 0});
}

TEST_CASE("leaf 4 describes private L1/L2, a package-wide L3 and N cores") {
    auto out = filter_cpuid(intel_supported(), 1, 2);
    CHECK(bits(find(out, 0x4, 0).eax, 14, 25) == 0);
    CHECK(bits(find(out, 0x4, 2).eax, 14, 25) == 0);
    CHECK(bits(find(out, 0x4, 3).eax, 14, 25) == 1);
    CHECK(bits(find(out, 0x4, 3).eax, 26, 31) == 1);
    CHECK(bits(find(out, 0x4, 3).eax, 0, 7) == 0x63);
    CHECK(find(out, 0x4, 4) == CpuidEntry{0x4, 4, kSignificantIndex, 0, 0, 0, 0});
}

TEST_CASE("leaf 0xB reports the vCPU's x2APIC ID and N single-thread cores") {
    auto out = filter_cpuid(intel_supported(), 1, 2);
    CHECK(find(out, 0xb, 0) == CpuidEntry{0xb, 0, kSignificantIndex, 0, 1, 0x100, 1});
    CHECK(find(out, 0xb, 1) == CpuidEntry{0xb, 1, kSignificantIndex, 1, 2, 0x201, 1});
    CHECK(find(out, 0xb, 2) == CpuidEntry{0xb, 2, kSignificantIndex, 0, 0, 0x2, 1});
}

TEST_CASE("leaf 0xB core-level shift rounds up for a non-power-of-two count") {
    auto out = filter_cpuid(intel_supported(), 2, 3);
    CHECK(find(out, 0xb, 1).eax == 2);
    CHECK(find(out, 0xb, 1).ebx == 3);
}

TEST_CASE("KVM leaves pass through, and no leaf is added or dropped") {
    auto in = intel_supported();
    auto out = filter_cpuid(in, 0, 2);
    REQUIRE(out.size() == in.size());
    CHECK(find(out, 0x40000000) == find(in, 0x40000000));
    for (size_t i = 0; i < in.size(); ++i) {
        CHECK(out[i].function == in[i].function);
        CHECK(out[i].index == in[i].index);
        CHECK(out[i].flags == in[i].flags);
    }
}

TEST_CASE("on Intel, the AMD core count in 0x80000008 ECX stays untouched") {
    auto out = filter_cpuid(intel_supported(), 0, 2);
    CHECK(find(out, 0x80000008).ecx == 0);
}

TEST_CASE("on AMD, 0x80000008 ECX and 0x8000001E describe N cores and this vCPU") {
    auto out = filter_cpuid(amd_supported(), 1, 2);
    const auto& sizes = find(out, 0x80000008);
    CHECK(bits(sizes.ecx, 0, 7) == 1);
    CHECK(bits(sizes.ecx, 12, 15) == 1);
    const auto& ext = find(out, 0x8000001e);
    CHECK(ext.eax == 1);
    CHECK(bits(ext.ebx, 0, 7) == 1);
    CHECK(bits(ext.ebx, 8, 15) == 0);
    CHECK(ext.ecx == 0);
    CHECK(bits(find(out, 0x1).ebx, 24, 31) == 1);
}
