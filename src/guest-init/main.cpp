// cw-guest-init: PID 1 of the microVM. A thin sequence: read the measured workload
// configuration into a GuestPlan, run it, report the status on the exit-status port and power
// off (docs/guest-abi.md).
#include <cstdio>
#include <string>
#include <vector>

#include "base/result.h"
#include "guest-init/exit_status.h"
#include "guest-init/guest_boot.h"
#include "guest-init/plan_loader.h"
#include "guest-init/power_off.h"

int main(int argc, char** argv) {
    // The kernel passes the words after "--" on its command line as our arguments.
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    auto plan = cw::guest::load_plan(cw::guest::kWorkloadConfigPath, args);
    if (!plan) {
        std::printf("cw-guest-init: %s: %s\n", cw::guest::step_name(cw::guest::Step::Plan),
                    plan.error().to_string().c_str());
        std::fflush(stdout);
        cw::guest::power_off(static_cast<int>(cw::guest::Step::Plan));
    }
    cw::guest::power_off(cw::guest::run_guest(*plan));
}
