// cwrun's image mode: from a workload.json and the command line to the launch oci2cw measured
// (docs/disk-format.md "measurement.json": the kernel and initramfs, workload.json as the
// workload configuration, the rootfs as the one disk, virtio console, no --cmdline, cpus and
// memory from workload.json). For a TEE workload, an option that would change that launch
// measurement is refused here, in one line, rather than left for the attestation server to
// refuse after a boot; options outside the measurement (vsock mappings, --sim-key, where the
// attestation server is reached) stay free. A `tee: none` workload takes any override.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cwrun/workload_file.h"

namespace cw::cwrun {

// The command line as image mode sees it: nullopt for an option not given (its default
// does not count as given).
struct ImageOptions {
    std::optional<std::string> tee;
    std::optional<std::string> kernel;
    std::optional<std::string> initrd;
    std::optional<std::string> cmdline;
    std::optional<std::string> console;
    std::optional<int> cpus;
    std::optional<int> mem;
    std::vector<std::string> extra_disks;  // --disk specs, after the rootfs
    bool workload_config = false;          // --workload-config given
    std::optional<std::string> attest_url; // --attest-url: where the host forwards to
    std::vector<std::string> guest_args;   // after --
};

// The project's boot files (cw_default_kernel, cw_default_initrd); empty when not found.
struct DefaultBootFiles {
    std::string kernel;
    std::string initrd;
};

// What cwrun then hands the C API.
struct ImageLaunch {
    std::string tee;
    uint32_t cpus = 1;
    uint32_t mem_mib = 256;
    std::string kernel;
    std::string initrd;
    std::string cmdline;          // --cmdline (tee none only), then " -- ARGS"
    std::string console;          // virtio or serial
    std::string workload_config;  // the workload.json
    std::string rootfs;           // vda, read-only, serial "rootfs"
    std::vector<std::string> extra_disks;
    std::optional<std::string> vsock_forward;  // the attestation server, cw_add_vsock_forward spec
    bool measured_guest_args = false;          // ARGS went into a measured command line
};

inline constexpr const char* kRootfsDiskId = "rootfs";

[[nodiscard]] Result<ImageLaunch> plan_image_launch(const WorkloadFile& workload, const ImageOptions& options,
                                                    const DefaultBootFiles& defaults);

}  // namespace cw::cwrun
