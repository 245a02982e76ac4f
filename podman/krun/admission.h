// What of a Podman container krun lets through to the microVM. The converted image's
// measured workload configuration (workload.json, written by oci2cw) decides what runs: its
// entrypoint, environment, user and working directory are part of the launch measurement.
// Podman's settings that change none of that (the terminal, stdin, its own default
// environment) apply; a setting that would change the workload is refused in one line rather
// than ignored, so `podman run -e X IMAGE` never looks as if X reached the workload. A
// `tee: none` workload is not measured, so its command may be replaced, as with
// `cwrun DIR -- ARGS`.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "bundle_config.h"

namespace cw::krun {

// The converted image's entrypoint (tools/oci2cw image_stage: a static program that explains
// the image needs --runtime krun); config.json's args start with it unless --entrypoint
// replaced it.
inline constexpr const char* kImageEntrypoint = "/entrypoint";

struct Admitted {
    std::vector<std::string> guest_args;  // the workload's arguments instead of its cmd (tee none only)
};

// `tee` is the workload's TEE (none, sim, snp, tdx).
[[nodiscard]] Result<Admitted> admit(const BundleConfig& config, const std::string& tee);

}  // namespace cw::krun
