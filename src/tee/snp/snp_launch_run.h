// Runs an SEV-SNP launch plan (tee/launch/snp_launch_plan.h) through SnpLaunch: one
// SNP_LAUNCH_UPDATE per range, ascending, each with the VMM's copy of those pages as the
// source, then SNP_LAUNCH_FINISH with HOST_DATA and the VMSAs KVM will measure.
//
// `expected` is the MEASUREMENT the caller was asked to produce, obtained independently of
// this launch: the figure oci2cw registered (measurement.json) or `cw-measure launch --tee
// snp` printed from its own load of the same inputs. Before finishing, the digest the launch
// accumulated (plus the VMSAs) must equal it; otherwise the guest could never attest, so the
// launch stops with one line naming both digests instead of running a guest that will only
// be refused its key.
//
// Before calling, the VMM has written the CPUID page (snp_cpuid_page) at the plan's CPUID
// GPA: KVM hands those bytes to the firmware to check. The secrets and ZERO pages' source
// bytes are not used (the firmware fills or zeroes them).
#pragma once

#include <span>

#include "base/result.h"
#include "tee/launch/snp_launch_plan.h"
#include "tee/snp/snp_launch.h"
#include "vmm/memory/guest_memory.h"

namespace cw::tee::snp {

// `launch` must be Started (init() and start() done); on success it is Finished.
[[nodiscard]] Result<void> run_snp_launch_plan(SnpLaunch& launch, const vmm::GuestMemory& memory,
                                               std::span<const SnpLaunchRange> plan, const SnpHostData& host_data,
                                               std::span<const SnpVmsaPage> vmsas, const Sha384Digest& expected);

}  // namespace cw::tee::snp
