// What a user asks for when booting a microVM. Validated by Vm::create.
#pragma once

#include <cstdint>
#include <string>

namespace cw::vmm {

struct VmConfig {
    std::string kernel_path;     // ELF vmlinux or bzImage
    std::string initrd_path;     // optional
    std::string extra_cmdline;   // appended to the VMM's base command line
    uint32_t vcpus = 1;
    uint32_t mem_mib = 256;
    // virtio-rng: seeds the guest's entropy pool from the host's getrandom().
    bool rng = true;
};

inline constexpr uint32_t kMaxVcpus = 64;      // the guest kernel's NR_CPUS
inline constexpr uint32_t kMinMemMib = 32;
// Exit status when the microVM, not the workload, failed (the container runtimes' 125).
inline constexpr int kVmmFailureStatus = 125;

// Console on COM1, reset through the i8042 (how the VM ends; the guest kernel writes the
// reset command without an i8042 driver, which it does not have), no ACPI (an MP table
// describes the CPUs), and no kernel chatter on the console unless asked for.
inline constexpr const char* kBaseCmdline = "console=ttyS0 reboot=k panic=-1 acpi=off quiet";

}  // namespace cw::vmm
