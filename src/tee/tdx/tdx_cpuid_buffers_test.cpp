#include "tee/tdx/tdx_cpuid_buffers.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace cw::tee::tdx;

namespace {

uint32_t u32_at(const TdxIoctlBuffer& buffer, size_t offset) {
    uint32_t v = 0;
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(buffer.data()) + offset, sizeof(v));
    return v;
}

uint64_t u64_at(const TdxIoctlBuffer& buffer, size_t offset) {
    uint64_t v = 0;
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(buffer.data()) + offset, sizeof(v));
    return v;
}

uapi::KvmCpuidEntry2 entry(uint32_t function, uint32_t eax) { return {function, 0, 0, eax, 0, 0, 0, {}}; }

// Writes `nent` and the entries into a capabilities request, as KVM would.
void kvm_answers(TdxIoctlBuffer& buffer, uint32_t nent, const std::vector<uapi::KvmCpuidEntry2>& entries) {
    auto* bytes = reinterpret_cast<uint8_t*>(buffer.data());
    std::memcpy(bytes + offsetof(uapi::KvmTdxCapabilities, cpuid), &nent, sizeof(nent));
    const uint64_t attrs = 0x10000000;
    std::memcpy(bytes, &attrs, sizeof(attrs));
    if (!entries.empty())  // memcpy from an empty vector's null data() is undefined
        std::memcpy(bytes + sizeof(uapi::KvmTdxCapabilities), entries.data(), entries.size() * sizeof(entries[0]));
}

}  // namespace

TEST_CASE("a capabilities request says how much room follows, and has it") {
    const TdxIoctlBuffer buffer = tdx_capabilities_request(3);
    CHECK(buffer.size() * 8 == sizeof(uapi::KvmTdxCapabilities) + 3 * sizeof(uapi::KvmCpuidEntry2));
    CHECK(u32_at(buffer, 0x800) == 3);
    CHECK(u64_at(buffer, 0) == 0);
}

TEST_CASE("KVM's capabilities answer is read back with its CPUID entries") {
    TdxIoctlBuffer buffer = tdx_capabilities_request(4);
    kvm_answers(buffer, 2, {entry(0x80000008, 0xFF00FF), entry(0x7, 0x1)});
    auto caps = tdx_capabilities_from_buffer(buffer);
    REQUIRE(caps.ok());
    CHECK(caps.value().fixed.supported_attrs == 0x10000000);
    REQUIRE(caps.value().cpuid.size() == 2);
    CHECK(caps.value().cpuid[0].function == 0x80000008);
    CHECK(caps.value().cpuid[0].eax == 0xFF00FF);
    CHECK(caps.value().cpuid[1].function == 0x7);
}

TEST_CASE("an entry count beyond the room given is refused before any entry is read") {
    TdxIoctlBuffer buffer = tdx_capabilities_request(1);
    kvm_answers(buffer, 5, {});
    auto caps = tdx_capabilities_from_buffer(buffer);
    REQUIRE_FALSE(caps.ok());
    CHECK(caps.error().to_string() == "KVM_TDX_CAPABILITIES: 5 CPUID entries reported, room for 1");
}

TEST_CASE("a buffer shorter than the fixed structure is refused") {
    const TdxIoctlBuffer buffer(10, 0);
    CHECK_FALSE(tdx_capabilities_from_buffer(buffer).ok());
}

TEST_CASE("the INIT_VM buffer: the structure with nent set and padding cleared, then the entries") {
    uapi::KvmTdxInitVm init{};
    init.attributes = 0x10000000;
    init.xfam = 0xE7;
    init.mrconfigid[0] = 0xAB;
    init.cpuid.nent = 99;      // overwritten from the entries given
    init.cpuid.padding = 7;    // KVM refuses non-zero padding: always cleared
    const std::vector<uapi::KvmCpuidEntry2> cpuid = {entry(0x80000008, 0x3030), entry(0x1, 0x5)};
    auto buffer = tdx_init_vm_buffer(init, cpuid);
    REQUIRE(buffer.ok());
    const TdxIoctlBuffer& b = buffer.value();
    CHECK(b.size() * 8 == 264 + 2 * 40);
    CHECK(u64_at(b, 0x000) == 0x10000000);
    CHECK(u64_at(b, 0x008) == 0xE7);
    CHECK(u64_at(b, 0x010) == 0xAB);
    CHECK(u32_at(b, 0x100) == 2);
    CHECK(u32_at(b, 0x104) == 0);
    CHECK(u32_at(b, 0x108) == 0x80000008);
    CHECK(u32_at(b, 0x108 + 0x0C) == 0x3030);
    CHECK(u32_at(b, 0x108 + 40) == 0x1);
}

TEST_CASE("INIT_VM takes at most 256 CPUID entries") {
    const std::vector<uapi::KvmCpuidEntry2> cpuid(257, entry(0x1, 0));
    auto buffer = tdx_init_vm_buffer(uapi::KvmTdxInitVm{}, cpuid);
    REQUIRE_FALSE(buffer.ok());
    CHECK(buffer.error().to_string() == "KVM_TDX_INIT_VM: 257 CPUID entries, at most 256");
    CHECK(tdx_init_vm_buffer(uapi::KvmTdxInitVm{}, std::span(cpuid).first(256)).ok());
}
