// A recording TdxKvm for the unit tests: keeps a copy of every structure it is given, in
// call order, answers KVM_TDX_CAPABILITIES from a field, and fails the command named in
// fail_on. No ioctl is issued.
#pragma once

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tee/tdx/tdx_attributes.h"
#include "tee/tdx/tdx_kvm.h"

namespace cw::tee::tdx::testing {

// What a TDX host with upstream KVM 6.16 offers: SEPT_VE_DISABLE only, x87/SSE/AVX/AVX-512
// state, and a configurable CPUID leaf 0x80000008 (the guest physical address width).
inline TdxCapabilities typical_capabilities() {
    TdxCapabilities caps;
    caps.fixed.supported_attrs = kTdAttrSeptVeDisable;
    caps.fixed.supported_xfam = 0xE7;
    caps.cpuid.push_back(uapi::KvmCpuidEntry2{uapi::kCpuidLeafAddressSizes, 0, 0, 0x00FF'FFFF, 0, 0, 0, {}});
    caps.fixed.cpuid.nent = static_cast<uint32_t>(caps.cpuid.size());
    return caps;
}

class FakeTdxKvm final : public TdxKvm {
public:
    // The capabilities answer.
    Result<TdxCapabilities> caps = typical_capabilities();
    // The command ("capabilities", "init_vm", "init_vcpu", "init_mem_region", "finalize")
    // that fails, with EIO.
    std::string fail_on;

    struct VcpuInit {
        uint32_t vcpu;
        uint64_t rcx;
    };
    struct MemRegion {
        uint32_t vcpu;
        uapi::KvmTdxInitMemRegion region;
        uint32_t flags;
    };

    // What was issued, in order ("capabilities", "init_vm", ...), and the structures.
    std::vector<std::string> calls;
    std::optional<uapi::KvmTdxInitVm> init;
    std::vector<uapi::KvmCpuidEntry2> init_cpuid;
    std::vector<VcpuInit> vcpu_inits;
    std::vector<MemRegion> regions;

    Result<TdxCapabilities> capabilities() override {
        calls.push_back("capabilities");
        if (fail_on == "capabilities")
            return Error::sys("fake capabilities", EIO);
        return caps;
    }
    Result<void> init_vm(const uapi::KvmTdxInitVm& value, std::span<const uapi::KvmCpuidEntry2> cpuid) override {
        init = value;
        init_cpuid.assign(cpuid.begin(), cpuid.end());
        return record("init_vm");
    }
    Result<void> finalize_vm() override { return record("finalize"); }
    Result<void> init_vcpu(uint32_t vcpu, uint64_t rcx) override {
        vcpu_inits.push_back({vcpu, rcx});
        return record("init_vcpu");
    }
    Result<void> init_mem_region(uint32_t vcpu, const uapi::KvmTdxInitMemRegion& region, uint32_t flags) override {
        regions.push_back({vcpu, region, flags});
        return record("init_mem_region");
    }

private:
    Result<void> record(const std::string& name) {
        calls.push_back(name);
        if (name == fail_on)
            return Error::sys("fake " + name, EIO);
        return {};
    }
};

}  // namespace cw::tee::tdx::testing
