// cw-guest-init: PID 1 of the microVM. A thin sequence: get the GuestPlan, run it, report
// the status on the exit-status port and power off (docs/guest-abi.md).
//
// WAITING FOR the workload.json parser (being written with oci2cw's workload configuration):
// load_plan() below will read the measured configuration the VMM places in the guest and
// fill a GuestPlan (guest_plan.h). Until then guest-init stops with the "workload
// configuration" status (240) and says why, rather than guessing a format.
#include <cstdio>

#include "base/result.h"
#include "guest-init/exit_status.h"
#include "guest-init/guest_boot.h"
#include "guest-init/power_off.h"

namespace {

cw::Result<cw::guest::GuestPlan> load_plan(int /*argc*/, char** /*argv*/) {
    return cw::Error::msg("no workload.json parser yet: guest-init needs a GuestPlan (src/guest-init/guest_plan.h)");
}

}  // namespace

int main(int argc, char** argv) {
    auto plan = load_plan(argc, argv);
    if (!plan) {
        std::printf("cw-guest-init: %s: %s\n", cw::guest::step_name(cw::guest::Step::Plan),
                    plan.error().to_string().c_str());
        cw::guest::power_off(static_cast<int>(cw::guest::Step::Plan));
    }
    cw::guest::power_off(cw::guest::run_guest(*plan));
}
