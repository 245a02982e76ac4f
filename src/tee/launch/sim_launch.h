// The sim launch digest: an SNP launch digest (snp_launch_digest.h) over the pages the VMM
// loaded (LaunchPages) as NORMAL pages in ascending GPA order, then one VMSA-type page per
// vCPU (sim_vmsa.h) at kSnpVmsaGpa. The VMM computes it at launch and cw-measure offline,
// both through this function over the same loader output (docs/measurement.md).
#pragma once

#include <span>

#include "base/result.h"
#include "tee/launch/launch_pages.h"
#include "tee/launch/sim_vmsa.h"
#include "tee/measurement/snp_launch_digest.h"
#include "vmm/memory/guest_memory.h"

namespace cw::tee {

// vcpus[i] is vCPU i's initial state. With `trace`, every page is recorded in the result's
// trace() (cw-measure --explain).
[[nodiscard]] Result<SnpLaunchDigest> measure_sim_launch(const vmm::GuestMemory& memory, const LaunchPages& pages,
                                                         std::span<const VcpuLaunchState> vcpus, bool trace = false);

}  // namespace cw::tee
