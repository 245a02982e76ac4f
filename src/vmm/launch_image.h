// The launch image: everything the VMM writes into guest RAM before KVM exists (kernel,
// initramfs with the workload configuration appended, command line, zero page, MP table,
// identity page tables, GDT/IDT), with the list of pages written (tee::LaunchPages) and the
// vCPUs' initial state. Vm::create boots from it; `cw-measure launch` builds the same image
// into anonymous memory without KVM and digests it, so the measurement a verifier expects
// and the one the VMM computes at launch come from one piece of code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "tee/launch/launch_pages.h"
#include "tee/launch/snp_launch_plan.h"
#include "tee/launch/sim_vmsa.h"
#include "tee/launch/workload_cpio.h"
#include "tee/measurement/snp_launch_digest.h"
#include "vmm/arch/x86_64/gdt.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/vm_config.h"

namespace cw::vmm {

struct LaunchImage {
    GuestMemory memory;
    GuestAddress entry;           // the kernel's 64-bit entry point
    x86::LongModeState long_mode; // the boot vCPU's control registers and segments
    tee::LaunchPages pages;       // every page written above
    std::string cmdline;          // as written at kCmdlineAddr
    // SHA-256 of the workload configuration when one was given (HOST_DATA).
    std::optional<tee::HostData> workload_host_data;
    TeeKind tee = TeeKind::None;  // Snp: C-bit page tables, CC blob, reserved firmware pages
};

// How many virtio-mmio devices `config` gets (their announcements are part of the command
// line): console (when virtio), disks, vsock (also when the sim TEE needs it), rng.
[[nodiscard]] size_t virtio_device_count(const VmConfig& config);
// The whole kernel command line: base, console, device announcements, then the user's words.
[[nodiscard]] std::string full_cmdline(const VmConfig& config);

// Validates the parts of `config` the image depends on (vCPUs, memory, kernel) and builds
// the image. No KVM, no devices opened.
[[nodiscard]] Result<LaunchImage> load_launch_image(const VmConfig& config);

// Initial state of vCPU `index` in a `count`-vCPU launch: the boot vCPU at the kernel entry
// in long mode, the others in their reset state (they wait for INIT/SIPI).
[[nodiscard]] std::vector<tee::VcpuLaunchState> launch_vcpu_states(const LaunchImage& image, uint32_t count);

// The launch digest of the image: for TeeKind::Snp the SEV-SNP digest of its launch plan
// (snp_launch_plan below) with the VMSAs KVM builds, otherwise the sim launch digest
// (tee/launch/sim_launch.h).
[[nodiscard]] Result<tee::SnpLaunchDigest> measure_launch_image(const LaunchImage& image, uint32_t vcpus,
                                                                bool trace = false);

// TeeKind::Snp: every RAM page with its SNP_LAUNCH_UPDATE type (tee/launch/snp_launch_plan.h),
// and the VMSA page of each vCPU as KVM builds it at SNP_LAUNCH_FINISH.
[[nodiscard]] Result<std::vector<tee::SnpLaunchRange>> snp_launch_plan(const LaunchImage& image);
[[nodiscard]] std::vector<tee::SnpVmsaBytes> snp_vmsa_pages(const LaunchImage& image, uint32_t vcpus);

}  // namespace cw::vmm
