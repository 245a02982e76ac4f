#include "tee/tdx/tdx_cpuid_buffers.h"

#include <cstring>
#include <string>

namespace cw::tee::tdx {

namespace {

constexpr size_t kEntrySize = sizeof(uapi::KvmCpuidEntry2);

// Words needed for a `fixed_size`-byte structure followed by `entries` entries.
size_t words_for(size_t fixed_size, size_t entries) {
    return (fixed_size + entries * kEntrySize + sizeof(uint64_t) - 1) / sizeof(uint64_t);
}

}  // namespace

TdxIoctlBuffer tdx_capabilities_request(uint32_t max_entries) {
    TdxIoctlBuffer buffer(words_for(sizeof(uapi::KvmTdxCapabilities), max_entries), 0);
    uapi::KvmTdxCapabilities fixed{};
    fixed.cpuid.nent = max_entries;
    std::memcpy(buffer.data(), &fixed, sizeof(fixed));
    return buffer;
}

Result<TdxCapabilities> tdx_capabilities_from_buffer(const TdxIoctlBuffer& buffer) {
    const size_t bytes = buffer.size() * sizeof(uint64_t);
    if (bytes < sizeof(uapi::KvmTdxCapabilities))
        return Error::msg("KVM_TDX_CAPABILITIES: a " + std::to_string(bytes) + "-byte buffer is shorter than the " +
                          std::to_string(sizeof(uapi::KvmTdxCapabilities)) + "-byte structure");
    TdxCapabilities caps;
    std::memcpy(&caps.fixed, buffer.data(), sizeof(caps.fixed));
    const size_t room = (bytes - sizeof(uapi::KvmTdxCapabilities)) / kEntrySize;
    if (caps.fixed.cpuid.nent > room)
        return Error::msg("KVM_TDX_CAPABILITIES: " + std::to_string(caps.fixed.cpuid.nent) +
                          " CPUID entries reported, room for " + std::to_string(room));
    caps.cpuid.resize(caps.fixed.cpuid.nent);
    if (!caps.cpuid.empty()) {
        const auto* entries = reinterpret_cast<const uint8_t*>(buffer.data()) + sizeof(uapi::KvmTdxCapabilities);
        std::memcpy(caps.cpuid.data(), entries, caps.cpuid.size() * kEntrySize);
    }
    return caps;
}

Result<TdxIoctlBuffer> tdx_init_vm_buffer(const uapi::KvmTdxInitVm& init, std::span<const uapi::KvmCpuidEntry2> cpuid) {
    if (cpuid.size() > uapi::kKvmMaxCpuidEntries)
        return Error::msg("KVM_TDX_INIT_VM: " + std::to_string(cpuid.size()) + " CPUID entries, at most " +
                          std::to_string(uapi::kKvmMaxCpuidEntries));
    TdxIoctlBuffer buffer(words_for(sizeof(uapi::KvmTdxInitVm), cpuid.size()), 0);
    uapi::KvmTdxInitVm fixed = init;
    fixed.cpuid.nent = static_cast<uint32_t>(cpuid.size());
    fixed.cpuid.padding = 0;
    auto* bytes = reinterpret_cast<uint8_t*>(buffer.data());
    std::memcpy(bytes, &fixed, sizeof(fixed));
    if (!cpuid.empty())
        std::memcpy(bytes + sizeof(fixed), cpuid.data(), cpuid.size_bytes());
    return buffer;
}

}  // namespace cw::tee::tdx
