#include "verbs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "bundle_config.h"
#include "cgroup_join.h"
#include "error_log.h"
#include "process_identity.h"
#include "state_store.h"
#include "vmm_process.h"
#include "workload_launch.h"

namespace cw::krun {

namespace {

constexpr auto kKillWait = std::chrono::seconds(10);

enum class Status { Created, Running, Paused, Stopped };

const char* status_name(Status status) {
    switch (status) {
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Paused: return "paused";
    case Status::Stopped: return "stopped";
    }
    return "stopped";
}

Status status_of(const ContainerDir& dir, const ContainerState& state) {
    if (!process_alive(state.pid, state.pid_start_time))
        return Status::Stopped;
    struct stat st {};
    if (::stat(dir.file(kStartFifo).c_str(), &st) == 0)
        return Status::Created;
    return state.paused ? Status::Paused : Status::Running;
}

Result<ContainerDir> existing(const StateRoot& root, const std::string& id) {
    auto dir = CW_TRY(root.open(id));
    if (!dir)
        return Error::msg("container " + id + " does not exist");
    return std::move(*dir);
}

// The pid file conmon reads, written whole or not at all.
Result<void> write_pid_file(const std::string& path, int pid) {
    const std::string temp = path + ".krun-tmp";
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid())
        return Error::sys("creating the pid file " + temp);
    const std::string text = std::to_string(pid);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return Error::sys("writing the pid file " + temp);
    if (::rename(temp.c_str(), path.c_str()) != 0)
        return Error::sys("renaming the pid file " + temp);
    return {};
}

Result<void> finish_create(ContainerDir& dir, const std::string& id, const CreateOptions& options,
                           const BundleConfig& config, const cwrun::VmLaunch& launch) {
    const auto vmm = CW_TRY(spawn_vmm(dir, launch, options.console_socket));
    ContainerState state;
    state.id = id;
    state.pid = vmm.pid;
    state.pid_start_time = vmm.start_time;
    state.bundle = options.bundle;
    state.rootfs = config.root_path;
    state.created = rfc3339_now();
    state.annotations = config.annotations;
    auto fail = [&](Error error) -> Result<void> {
        kill(vmm.pid, SIGKILL);
        (void)remove_cgroups(state.cgroups);
        return error;
    };
    auto cgroups = join_cgroup(config.cgroups_path, vmm.pid);
    if (!cgroups.ok())
        return fail(std::move(cgroups).error());
    state.cgroups = *cgroups;
    if (auto written = dir.write_state(state); !written.ok())
        return fail(std::move(written).error());
    if (!options.pid_file.empty()) {
        if (auto written = write_pid_file(options.pid_file, vmm.pid); !written.ok())
            return fail(std::move(written).error());
    }
    return {};
}

}  // namespace

Result<void> create_container(const GlobalOptions& global, const std::string& id, const CreateOptions& options) {
    if (options.preserve_fds != 0)
        return Error::msg("--preserve-fds " + std::to_string(options.preserve_fds) +
                          ": passing host descriptors into a microVM workload is not supported");
    const auto config = CW_TRY(read_bundle_config(options.bundle));
    const auto launch = CW_TRY(plan_container_launch(config, global));
    StateRoot root(global.root);
    auto dir = CW_TRY(root.create(id));
    auto created = finish_create(dir, id, options, config, launch);
    if (!created.ok()) {
        (void)dir.remove();
        return created;
    }
    return {};
}

Result<void> start_container(const GlobalOptions& global, const std::string& id) {
    auto dir = CW_TRY(existing(StateRoot(global.root), id));
    const auto state = CW_TRY(dir.read_state());
    const Status status = status_of(dir, state);
    if (status != Status::Created)
        return Error::msg("container " + id + " is " + status_name(status) + ", not created: it cannot be started");
    const std::string fifo = dir.file(kStartFifo);
    UniqueFd fd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("container " + id + ": the VMM is not waiting to start");
    char go = 1;
    if (::write(fd.get(), &go, 1) != 1)
        return Error::sys("starting container " + id);
    // Gone at once, so state says running from here on, even before the VMM reads the byte.
    if (::unlink(fifo.c_str()) != 0)
        return Error::sys("removing " + fifo);
    return {};
}

Result<void> kill_container(const GlobalOptions& global, const std::string& id, int signal) {
    // The VMM relays SIGTERM, SIGINT and SIGHUP to the workload and dies of SIGKILL; any other
    // signal would end (or core-dump, or stop behind pause's back) the VM itself.
    if (signal != SIGTERM && signal != SIGINT && signal != SIGHUP && signal != SIGKILL) {
        const char* name = sigabbrev_np(signal);  // null for real-time signals
        return Error::msg("signal " + std::to_string(signal) + " (SIG" + (name != nullptr ? name : "RT") +
                          "): krun relays only SIGTERM, SIGINT and SIGHUP to a microVM workload, and "
                          "SIGKILL ends the VM");
    }
    auto dir = CW_TRY(existing(StateRoot(global.root), id));
    const auto state = CW_TRY(dir.read_state());
    // A stopped container has nothing to signal: success, as Podman's stop expects.
    if (!process_alive(state.pid, state.pid_start_time))
        return {};
    // The VMM relays its first SIGTERM/SIGINT/SIGHUP to the workload through guest-init;
    // SIGKILL ends the VM.
    if (::kill(state.pid, signal) != 0 && errno != ESRCH)
        return Error::sys("sending signal " + std::to_string(signal) + " to container " + id);
    return {};
}

Result<void> delete_container(const GlobalOptions& global, const std::string& id, bool force) {
    auto opened = CW_TRY(StateRoot(global.root).open(id));
    if (!opened) {
        if (force)
            return {};
        return Error::msg("container " + id + " does not exist");
    }
    ContainerDir dir = std::move(*opened);
    auto state = dir.read_state();
    if (state.ok() && process_alive(state->pid, state->pid_start_time)) {
        if (!force)
            return Error::msg("container " + id + " is running: stop it first, or delete --force");
        ::kill(state->pid, SIGKILL);
        auto deadline = std::chrono::steady_clock::now() + kKillWait;
        while (process_alive(state->pid, state->pid_start_time) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (process_alive(state->pid, state->pid_start_time))
            return Error::msg("container " + id + ": the VMM (pid " + std::to_string(state->pid) +
                              ") did not end after SIGKILL");
    } else if (!state.ok() && !force) {
        return std::move(state).error().context("container " + id);
    }
    if (state.ok()) {
        if (auto removed = remove_cgroups(state->cgroups); !removed.ok())
            std::fprintf(stderr, "krun: warning: %s\n", removed.error().to_string().c_str());
    }
    return dir.remove();
}

Result<std::string> container_state(const GlobalOptions& global, const std::string& id) {
    auto dir = CW_TRY(existing(StateRoot(global.root), id));
    const auto state = CW_TRY(dir.read_state());
    const Status status = status_of(dir, state);
    nlohmann::json out = {
        {"ociVersion", "1.0.2"},
        {"id", state.id},
        {"pid", status == Status::Stopped ? 0 : state.pid},
        {"status", status_name(status)},
        {"bundle", state.bundle},
        {"rootfs", state.rootfs},
        {"created", state.created},
        {"owner", "root"},
        {"annotations", state.annotations},
    };
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> pause_container(const GlobalOptions& global, const std::string& id, bool pause) {
    auto dir = CW_TRY(existing(StateRoot(global.root), id));
    auto state = CW_TRY(dir.read_state());
    const Status status = status_of(dir, state);
    if (pause && status != Status::Running)
        return Error::msg("container " + id + " is " + status_name(status) + ", not running: it cannot be paused");
    if (!pause && status != Status::Paused)
        return Error::msg("container " + id + " is " + status_name(status) + ", not paused: it cannot be resumed");
    // Stopping the VMM process stops every vCPU thread: the guest is frozen as a whole and
    // resumes where it was (its clock then jumps, as after a host suspend).
    if (::kill(state.pid, pause ? SIGSTOP : SIGCONT) != 0)
        return Error::sys(std::string(pause ? "pausing" : "resuming") + " container " + id);
    state.paused = pause;
    return dir.write_state(state);
}

}  // namespace cw::krun
