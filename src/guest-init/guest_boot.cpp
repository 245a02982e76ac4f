#include "guest-init/guest_boot.h"

#include <cstdio>

#include "guest-init/disk_key.h"
#include "guest-init/dm_disk.h"
#include "guest-init/early_boot.h"
#include "guest-init/exit_status.h"
#include "guest-init/process_args.h"
#include "guest-init/process_runner.h"
#include "guest-init/root_mount.h"
#include "guest-init/signal_relay.h"
#include "guest-init/user_db.h"

namespace cw::guest {

const char* step_name(Step step) {
    switch (step) {
    case Step::Plan: return "workload configuration";
    case Step::EarlyBoot: return "early boot";
    case Step::AttestUnreachable: return "attestation";
    case Step::AttestRefused: return "attestation";
    case Step::DiskUnlock: return "disk unlock";
    case Step::Verity: return "dm-verity";
    case Step::MountRoot: return "root filesystem";
    case Step::User: return "workload setup";
    case Step::Workload: return "workload";
    case Step::NotExecutable: return "workload";
    case Step::NotFound: return "workload";
    }
    return "?";
}

namespace {

int fail(Step step, const Error& error) {
    std::printf("cw-guest-init: %s: %s\n", step_name(step), error.to_string().c_str());
    std::fflush(stdout);
    return static_cast<int>(step);
}

}  // namespace

int run_guest(const GuestPlan& plan) {
    const std::string hostname = plan.hostname.empty() ? plan.workload_id : plan.hostname;
    if (auto r = mount_pseudo_filesystems(); !r)
        return fail(Step::EarlyBoot, r.error());
    if (auto r = bring_up_loopback(); !r)
        return fail(Step::EarlyBoot, r.error());
    if (auto r = set_hostname(hostname); !r)
        return fail(Step::EarlyBoot, r.error());

    std::string plaintext = plan.disk_device;
    if (plan.encrypted) {
        KeyFailure why = KeyFailure::None;
        auto secret = fetch_disk_secret(plan, &why);
        if (!secret)
            return fail(why == KeyFailure::Unreachable ? Step::AttestUnreachable : Step::AttestRefused,
                        secret.error());
        auto opened = open_luks2(plan.disk_device, *secret);
        secret->wipe();  // libcryptsetup keeps the volume key in the kernel; we need the secret no more
        if (!opened)
            return fail(Step::DiskUnlock, opened.error());
        plaintext = *opened;
    }
    auto verified = open_verity(plaintext, plan.verity);
    if (!verified)
        return fail(Step::Verity, verified.error());
    auto root = mount_root(*verified);
    if (!root)
        return fail(Step::MountRoot, root.error());
    if (auto r = switch_root(*root); !r)
        return fail(Step::MountRoot, r.error());

    auto user = resolve_user_in_root(plan.process.user, "/");
    if (!user)
        return fail(Step::User, user.error());
    auto argv = workload_argv(plan.process);
    if (!argv)
        return fail(Step::User, argv.error());
    auto env = workload_env(plan.process, user->home, hostname);
    if (!env)
        return fail(Step::User, env.error());

    ProcessSpec spec;
    spec.argv = std::move(*argv);
    spec.env = std::move(*env);
    spec.working_dir = plan.process.working_dir.empty() ? "/" : plan.process.working_dir;
    spec.change_user = true;
    spec.uid = user->uid;
    spec.gid = user->gid;
    spec.supplementary = user->supplementary;
    // Host signals: listen now, serve once the workload runs (PID 1's signal handlers exist
    // from then on); a request in between waits in the listen backlog.
    auto relay = listen_signal_relay();
    if (!relay) {
        std::printf("cw-guest-init: %s (host signals will stop the VM without reaching the workload)\n",
                    relay.error().to_string().c_str());
        std::fflush(stdout);
    }
    RunOptions options;
    options.on_started = [&relay](pid_t) {
        if (relay)
            start_signal_relay(std::move(*relay));
    };
    auto status = run_workload(spec, options);
    if (!status) {
        int err = status.error().sys_errno();
        bool exec_step = status.error().message().rfind("workload: exec", 0) == 0;
        Step step = !exec_step ? Step::Workload : err == ENOENT ? Step::NotFound : Step::NotExecutable;
        return fail(step, status.error());
    }
    return *status;
}

}  // namespace cw::guest
