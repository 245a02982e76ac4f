// Why KVM_RUN returned, in terms that do not need <linux/kvm.h>.
#pragma once

#include <cstdint>
#include <span>

namespace cw::vmm {

struct VcpuExit {
    enum class Kind {
        IoIn,
        IoOut,
        MmioRead,
        MmioWrite,
        Hlt,
        Shutdown,        // triple fault or reset through KVM
        SystemEvent,     // PSCI/ACPI-style shutdown or reset
        InternalError,   // KVM could not emulate an instruction
        FailEntry,       // hardware refused VM entry
        Interrupted,     // a signal kicked the vCPU out (KVM_RUN returned EINTR)
        Unknown,
    };
    Kind kind = Kind::Unknown;
    uint64_t address = 0;       // port or guest-physical address
    // The access's bytes, inside the shared kvm_run area. A string port I/O (rep ins/outs)
    // carries `count` consecutive elements of data.size() / count bytes each.
    std::span<uint8_t> data;
    uint32_t count = 1;
    uint64_t detail = 0;        // exit reason, suberror or failure code for diagnostics
};

}  // namespace cw::vmm
