// Runs the workload as PID 1's only direct job: fork, drop to the workload's user, exec;
// then reap every child (the workload and any orphan reparented to us), forward SIGTERM,
// SIGINT and SIGHUP to the workload, and return its exit status (or 128 + signal).
//
// On the host (tests) the caller is not PID 1; `subreaper` makes it one for orphans
// (PR_SET_CHILD_SUBREAPER), which is the part of PID-1-ness the runner relies on.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cw::guest {

struct ProcessSpec {
    std::vector<std::string> argv;  // argv[0] without '/' is looked up in the env's PATH
    std::vector<std::string> env;
    std::string working_dir = "/";
    bool change_user = false;  // false: keep the caller's ids (host tests as non-root)
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> supplementary;
};

struct RunOptions {
    bool subreaper = false;                       // PR_SET_CHILD_SUBREAPER first (host tests)
    std::function<void(pid_t)> on_started;        // called once the workload exec'd (tests)
};

struct RunStats {
    unsigned orphans_reaped = 0;
    unsigned signals_forwarded = 0;
};

// The workload's status: its exit code, or 128 + the signal that killed it. A failure to
// start it (chdir, ids, exec) is an error naming that step, with errno; nothing ran.
Result<int> run_workload(const ProcessSpec& spec, const RunOptions& options = {}, RunStats* stats = nullptr);

}  // namespace cw::guest
