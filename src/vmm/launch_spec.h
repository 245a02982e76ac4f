// The options of `cwrun --tee sim` that shape the launch image, and the sim launch digest
// they give. One mapping from those options to a VmConfig, shared by `cw-measure launch` and
// oci2cw (which predicts the digest of the workload it builds), so the expected measurement
// and the VMM's cannot drift apart: cwrun's --kernel, --initrd, --cmdline, --workload-config,
// --cpus, --mem, --console and the number of --disk options. Everything else cwrun takes
// (vsock mappings, --sim-key, disk paths and flags) is not in the image; --tee sim always adds
// the vsock device, whose announcement is.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "tee/measurement/snp_launch_digest.h"
#include "vmm/launch_image.h"
#include "vmm/vm_config.h"

namespace cw::vmm {

struct SimLaunchSpec {
    std::string kernel_path;
    std::string initrd_path;           // empty: none
    std::string extra_cmdline;
    std::string workload_config_path;  // empty: none
    uint32_t vcpus = 1;
    uint32_t mem_mib = 256;
    ConsoleKind console = ConsoleKind::Virtio;
    uint32_t disks = 0;                // only their number shapes the image
};

// The VmConfig cwrun builds from these options with --tee sim (devices left unopened).
[[nodiscard]] VmConfig sim_launch_config(const SimLaunchSpec& spec);

struct SimLaunchMeasurement {
    LaunchImage image;  // cmdline and workload_host_data for reports
    tee::SnpLaunchDigest digest;
};

// Builds the launch image without KVM and measures it (trace: cw-measure --explain).
[[nodiscard]] Result<SimLaunchMeasurement> measure_sim_launch_spec(const SimLaunchSpec& spec, bool trace = false);

}  // namespace cw::vmm
