// The options of `cwrun --tee sim|snp` that shape the launch image, and the launch digest
// they give. One mapping from those options to a VmConfig, shared by `cw-measure launch` and
// oci2cw (which predicts the digest of the workload it builds), so the expected measurement
// and the VMM's cannot drift apart: cwrun's --tee, --kernel, --initrd, --cmdline,
// --workload-config, --cpus, --mem, --console and the number of --disk options. Everything
// else cwrun takes (vsock mappings, --sim-key, disk paths and flags) is not in the image; a
// confidential launch always adds the vsock device, whose announcement is.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "tee/measurement/snp_launch_digest.h"
#include "vmm/launch_image.h"
#include "vmm/vm_config.h"

namespace cw::vmm {

struct LaunchSpec {
    TeeKind tee = TeeKind::Sim;        // Sim or Snp
    std::string kernel_path;
    std::string initrd_path;           // empty: none
    std::string extra_cmdline;
    std::string workload_config_path;  // empty: none
    uint32_t vcpus = 1;
    uint32_t mem_mib = 256;
    ConsoleKind console = ConsoleKind::Virtio;
    uint32_t disks = 0;                // only their number shapes the image
};

// The VmConfig cwrun builds from these options (devices left unopened).
[[nodiscard]] VmConfig launch_spec_config(const LaunchSpec& spec);

struct LaunchMeasurement {
    LaunchImage image;  // cmdline and workload_host_data for reports
    tee::SnpLaunchDigest digest;
};

// Builds the launch image without KVM and measures it (trace: cw-measure --explain). A spec
// whose tee is neither Sim nor Snp is refused: it has no launch measurement.
[[nodiscard]] Result<LaunchMeasurement> measure_launch_spec(const LaunchSpec& spec, bool trace = false);

}  // namespace cw::vmm
