// The workload's argv and environment from the image config and the run-time arguments.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "guest-init/guest_plan.h"

namespace cw::guest {

// entrypoint + (override_args if given, else cmd), as `podman run IMAGE ARGS` does: the
// arguments replace the image's cmd and keep its entrypoint. An empty result is an error.
Result<std::vector<std::string>> workload_argv(const ProcessPlan& plan);

// The image's env plus defaults the runtimes add when the image has none: PATH, HOME (the
// user's home), HOSTNAME, TERM. Refuses entries without '=' or with an empty name.
Result<std::vector<std::string>> workload_env(const ProcessPlan& plan, const std::string& home,
                                              const std::string& hostname);

}  // namespace cw::guest
