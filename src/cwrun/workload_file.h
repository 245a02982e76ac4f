// cwrun's image mode: the workload.json oci2cw wrote (docs/disk-format.md "workload.json"),
// read with the same strict reader the guest uses (src/workload), so a file the guest would
// refuse is refused here, before a VM starts. The VMM hands the guest the same bytes, measured. The file comes from the user running cwrun: it is
// bounded and checked so a bad one gives one line naming the field, never a crash, but it
// grants nothing (a wrong value only makes the launch measurement differ).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "workload/workload_config.h"

namespace cw::cwrun {

inline constexpr const char* kWorkloadFileName = "workload.json";
inline constexpr uint64_t kMaxWorkloadFileBytes = 64 * 1024;  // the VMM's bound too

struct WorkloadFile {
    std::string config_path;  // the workload.json itself
    std::string tee;          // none, sim, snp or tdx
    uint32_t cpus = 1;        // 1-64
    uint32_t ram_mib = 256;   // >= 32
    std::string rootfs_path;  // rootfs.file, beside workload.json
    uint64_t rootfs_size = 0;
    std::optional<workload::ServerUrl> attestation;  // attestation_url
};

// `workload` is a directory holding workload.json (oci2cw --output DIR) or the file's path.
[[nodiscard]] Result<WorkloadFile> read_workload_file(const std::string& workload);

}  // namespace cw::cwrun
