// The two TDX structures that end in a struct kvm_cpuid2 with its flexible array of
// entries (kvm_tdx_capabilities, kvm_tdx_init_vm), as the contiguous buffers KVM reads and
// writes: the fixed structure, then cpuid.nent entries. C++ has no flexible array members,
// so tdx_uapi.h declares only the headers and this file lays out and reads the bytes.
//
// Trust: the capabilities buffer is written by the kernel; its entry count is still checked
// against the room we gave before any entry is read.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "tee/tdx/tdx_uapi.h"

namespace cw::tee::tdx {

// KVM_TDX_CAPABILITIES' answer: the fixed part (its cpuid.nent equals cpuid.size()) and
// the configurable CPUID leaves.
struct TdxCapabilities {
    uapi::KvmTdxCapabilities fixed{};
    std::vector<uapi::KvmCpuidEntry2> cpuid;
};

// A buffer of 8-byte words, so the structures in it are as aligned as the kernel's.
using TdxIoctlBuffer = std::vector<uint64_t>;

// The KVM_TDX_CAPABILITIES argument: a zeroed kvm_tdx_capabilities whose cpuid.nent says
// there is room for `max_entries` entries, followed by that room.
[[nodiscard]] TdxIoctlBuffer tdx_capabilities_request(uint32_t max_entries);
// Reads what KVM wrote into a buffer from tdx_capabilities_request(); refuses an entry
// count larger than the buffer's room.
[[nodiscard]] Result<TdxCapabilities> tdx_capabilities_from_buffer(const TdxIoctlBuffer& buffer);

// The KVM_TDX_INIT_VM argument: `init` with cpuid.nent = cpuid.size() and cpuid.padding
// = 0, followed by the entries. Refuses more than kKvmMaxCpuidEntries entries.
[[nodiscard]] Result<TdxIoctlBuffer> tdx_init_vm_buffer(const uapi::KvmTdxInitVm& init,
                                                        std::span<const uapi::KvmCpuidEntry2> cpuid);

}  // namespace cw::tee::tdx
