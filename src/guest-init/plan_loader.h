// The GuestPlan from the measured workload configuration the VMM appended to the initramfs
// (/cw/workload.json, docs/disk-format.md) and the init's arguments (the words after "--" on
// the kernel command line: `cwrun WORKLOAD -- ARGS`, measured as part of the command line).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "guest-init/guest_plan.h"
#include "workload/workload_config.h"

namespace cw::guest {

inline constexpr const char* kWorkloadConfigPath = "/cw/workload.json";

// `args` non-empty replaces the image's cmd (entrypoint kept), as `podman run IMAGE ARGS`.
[[nodiscard]] Result<GuestPlan> plan_from_config(const workload::WorkloadConfig& config,
                                                 const std::vector<std::string>& args);

// Reads and parses `path` (at most workload::kMaxConfigBytes), then plan_from_config.
[[nodiscard]] Result<GuestPlan> load_plan(const std::string& path, const std::vector<std::string>& args);

}  // namespace cw::guest
