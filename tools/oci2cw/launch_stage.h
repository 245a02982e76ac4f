// The launch measurement a verifier should expect for the workload: the launch digest of
// `cwrun --tee sim|snp --kernel K [--initrd I] --workload-config workload.json --disk disk.img
// --cpus N --mem M` (virtio console, one disk, and the vsock device a confidential launch
// adds), computed by the VMM's own loading code (vmm/launch_spec.h, the code `cw-measure
// launch` runs), and measurement.json recording it with the exact cwrun arguments it assumes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace cw::oci {

struct LaunchInputs {
    std::string tee;          // sim or snp
    std::string kernel_path;
    std::string initrd_path;  // empty: none
    std::string out_dir;      // holds workload.json and disk.img
    uint32_t cpus = 1;
    uint32_t ram_mib = 256;
};

struct ExpectedLaunch {
    std::string tee;          // sim or snp
    std::string measurement;  // 96 hex: the report's MEASUREMENT
    std::string host_data;    // 64 hex: SHA-256 of workload.json
    std::string cmdline;      // the kernel command line the guest gets
    std::vector<std::string> cwrun_args;
};

// Measures the launch of the workload already written to inputs.out_dir.
[[nodiscard]] Result<ExpectedLaunch> expect_launch(const LaunchInputs& inputs);

// measurement.json's text (pretty-printed: it is read by people and scripts, not measured).
[[nodiscard]] std::string measurement_json(const ExpectedLaunch& launch);

}  // namespace cw::oci
