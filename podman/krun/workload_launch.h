// From a Podman container to the microVM launch: the container's root filesystem is the
// converted image (oci2cw --output-image), holding workload.json and its disk; the launch is
// planned by the same code as `cwrun DIR` (cwrun/image_launch, cwrun/vm_launch), after
// admission (admission.h) has refused whatever Podman asked for that would change the
// workload. An image that was not converted is refused with the command that converts it:
// krun never falls back to running the container's root filesystem in any other way.
#pragma once

#include <string>

#include "base/result.h"
#include "bundle_config.h"
#include "cwrun/vm_launch.h"
#include "oci_cli.h"

namespace cw::krun {

// Per-container settings travel as annotations (podman run --annotation K=V); the
// runtime-wide ones as global options (--runtime-flag K=V, or containers.conf).
inline constexpr const char* kSimKeyAnnotation = "krun.sim-key";
inline constexpr const char* kAttestUrlAnnotation = "krun.attest-url";

[[nodiscard]] Result<cwrun::VmLaunch> plan_container_launch(const BundleConfig& config,
                                                            const GlobalOptions& global);

}  // namespace cw::krun
