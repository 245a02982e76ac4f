// The boot as a linear list of named steps over a GuestPlan:
//   early boot -> [confidential: fetch the disk secret -> open LUKS2] -> dm-verity ->
//   mount squashfs + overlay -> switch root -> resolve the user -> run the workload.
// The first failing step prints "cw-guest-init: <step>: <reason>" and its status is
// returned (exit_status.h); nothing of the workload has run then.
#pragma once

#include "guest-init/guest_plan.h"

namespace cw::guest {

// The status to report on the exit-status port: the workload's, or the failing step's.
int run_guest(const GuestPlan& plan);

}  // namespace cw::guest
