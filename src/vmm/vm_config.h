// What a user asks for when booting a microVM. Validated by Vm::create.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/virtio/blk/block.h"
#include "devices/virtio/vsock/vsock_config.h"

namespace cw::vmm {

// Where the guest's console (the kernel's and init's /dev/console) is.
enum class ConsoleKind {
    // virtio-console (hvc0): the host's stdin and stdout, raw when stdin is a terminal.
    Virtio,
    // The 8250 UART (ttyS0), output only: one VM exit per byte, but it works from the
    // kernel's first message on, before any virtio driver probes (for debugging boots).
    Serial,
};

// Which confidential launch to do. Sim is an ordinary VM with a simulated launch
// measurement and report service (docs/measurement.md); it protects nothing. Snp shapes the
// launch image and its measurement for an SEV-SNP guest (cw-measure, oci2cw); the VMM does
// not boot SNP guests yet, and the C API refuses it.
enum class TeeKind { None, Sim, Snp };

struct VmConfig {
    std::string kernel_path;     // ELF vmlinux or bzImage
    std::string initrd_path;     // optional
    std::string extra_cmdline;   // appended to the VMM's base command line
    uint32_t vcpus = 1;
    uint32_t mem_mib = 256;
    ConsoleKind console = ConsoleKind::Virtio;
    // virtio-blk disks, vda, vdb, ... in this order.
    std::vector<devices::virtio::BlockConfig> disks;
    // virtio-vsock with these host mappings; no device when absent.
    std::optional<devices::virtio::VsockConfig> vsock;
    // virtio-rng: seeds the guest's entropy pool from the host's getrandom().
    bool rng = true;
    TeeKind tee = TeeKind::None;
    std::string sim_key_path;          // --tee sim: the host's P-384 private key (PEM)
    // JSON appended to the initramfs as /cw/workload.json (measured; HOST_DATA = SHA-256).
    std::string workload_config_path;
    // SIGTERM/SIGINT/SIGHUP go to guest-init's signal relay (vmm/signal_relay.h) before they
    // stop the VM; needs the vsock device, which this adds (a guest ABI change: measured).
    bool forward_signals = false;
};

inline constexpr uint32_t kMaxVcpus = 64;      // the guest kernel's NR_CPUS
inline constexpr uint32_t kMinMemMib = 32;
// Exit status when the microVM, not the workload, failed (the container runtimes' 125).
inline constexpr int kVmmFailureStatus = 125;

// Reset through the i8042 (how the VM ends; the guest kernel writes the reset command
// without an i8042 driver, which it does not have), no ACPI (an MP table describes the
// CPUs), and no kernel chatter on the console unless asked for. The builder adds the
// console= entry for the configured console.
inline constexpr const char* kBaseCmdline = "reboot=k panic=-1 acpi=off quiet";

}  // namespace cw::vmm
