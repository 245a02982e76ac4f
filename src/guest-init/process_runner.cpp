#include "guest-init/process_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/unique_fd.h"

namespace cw::guest {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP};

// What the child reports through the close-on-exec pipe when it cannot exec.
struct ChildFailure {
    int step;
    int err;
};
enum ChildStep : int { kStepSetgroups, kStepSetgid, kStepSetuid, kStepChdir, kStepExec, kStepSetsid };
const char* step_name(int step) {
    switch (step) {
    case kStepSetgroups: return "setgroups";
    case kStepSetgid: return "setresgid";
    case kStepSetuid: return "setresuid";
    case kStepChdir: return "chdir to the working directory";
    case kStepSetsid: return "setsid";
    default: return "exec";
    }
}

// Everything the child needs, built before fork: after fork only async-signal-safe calls.
struct ExecPlan {
    std::vector<std::string> candidates;  // paths to try for argv[0], in PATH order
    std::vector<char*> argv;
    std::vector<char*> envp;
};

std::string env_path(const std::vector<std::string>& env) {
    for (const auto& e : env) {
        if (e.rfind("PATH=", 0) == 0)
            return e.substr(5);
    }
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

ExecPlan make_exec_plan(const ProcessSpec& spec) {
    ExecPlan plan;
    const std::string& name = spec.argv.front();
    if (name.find('/') != std::string::npos) {
        plan.candidates.push_back(name);
    } else {
        // The workload's PATH, not ours: execvpe would read guest-init's environment.
        std::string path = env_path(spec.env);
        size_t start = 0;
        for (;;) {
            size_t colon = path.find(':', start);
            std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            plan.candidates.push_back((dir.empty() ? std::string(".") : dir) + "/" + name);
            if (colon == std::string::npos)
                break;
            start = colon + 1;
        }
    }
    for (const auto& a : spec.argv)
        plan.argv.push_back(const_cast<char*>(a.c_str()));
    plan.argv.push_back(nullptr);
    for (const auto& e : spec.env)
        plan.envp.push_back(const_cast<char*>(e.c_str()));
    plan.envp.push_back(nullptr);
    return plan;
}

[[noreturn]] void child_fail(int pipe_fd, int step) {
    ChildFailure failure{step, errno};
    ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

[[noreturn]] void run_child(const ProcessSpec& spec, const ExecPlan& plan, int pipe_fd) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : kForwarded)
        signal(sig, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    if (setsid() < 0)
        child_fail(pipe_fd, kStepSetsid);
    if (spec.change_user) {
        if (setgroups(spec.supplementary.size(), spec.supplementary.data()) != 0)
            child_fail(pipe_fd, kStepSetgroups);
        if (setresgid(spec.gid, spec.gid, spec.gid) != 0)
            child_fail(pipe_fd, kStepSetgid);
        if (setresuid(spec.uid, spec.uid, spec.uid) != 0)
            child_fail(pipe_fd, kStepSetuid);
    }
    if (chdir(spec.working_dir.c_str()) != 0)
        child_fail(pipe_fd, kStepChdir);
    // As execvp: remember EACCES from a candidate but keep looking; report ENOENT otherwise.
    int err = ENOENT;
    for (const auto& candidate : plan.candidates) {
        execve(candidate.c_str(), plan.argv.data(), plan.envp.data());
        if (errno != ENOENT && errno != ENOTDIR)
            err = errno;
    }
    errno = err;
    child_fail(pipe_fd, kStepExec);
}

int status_of(int wstatus) {
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 255;
}

void noop_handler(int) {}

// Blocks the signals we wait for and restores the caller's mask and handlers on scope exit.
// Handlers, not SIG_DFL: the kernel discards SIG_DFL signals sent to PID 1 before they can
// even be pending, so a signalfd would never see them.
class SignalScope {
public:
    SignalScope() {
        sigemptyset(&m_set);
        for (int sig : kForwarded)
            sigaddset(&m_set, sig);
        sigaddset(&m_set, SIGCHLD);
        struct sigaction sa {};
        sa.sa_handler = noop_handler;
        sigemptyset(&sa.sa_mask);
        size_t i = 0;
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
            sigaction(sig, &sa, &m_old_actions[i++]);
        sigprocmask(SIG_BLOCK, &m_set, &m_old_mask);
    }
    ~SignalScope() {
        // Drain what is still pending for us (a late SIGCHLD) before unblocking.
        timespec zero{};
        while (sigtimedwait(&m_set, nullptr, &zero) > 0) {
        }
        sigprocmask(SIG_SETMASK, &m_old_mask, nullptr);
        size_t i = 0;
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
            sigaction(sig, &m_old_actions[i++], nullptr);
    }
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;
    const sigset_t& set() const { return m_set; }

private:
    sigset_t m_set;
    sigset_t m_old_mask;
    struct sigaction m_old_actions[4];
};

}  // namespace

Result<int> run_workload(const ProcessSpec& spec, const RunOptions& options, RunStats* stats) {
    RunStats local;
    RunStats& st = stats != nullptr ? *stats : local;
    if (spec.argv.empty())
        return Error::msg("workload: no command");
    if (options.subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        return Error::sys("workload: PR_SET_CHILD_SUBREAPER");

    ExecPlan plan = make_exec_plan(spec);
    SignalScope signals;
    UniqueFd sfd(signalfd(-1, &signals.set(), SFD_CLOEXEC));
    if (!sfd.valid())
        return Error::sys("workload: signalfd");
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return Error::sys("workload: pipe");
    UniqueFd report_read(pipe_fds[0]);
    UniqueFd report_write(pipe_fds[1]);

    pid_t pid = fork();
    if (pid < 0)
        return Error::sys("workload: fork");
    if (pid == 0)
        run_child(spec, plan, report_write.get());
    report_write.reset();

    ChildFailure failure{};
    ssize_t n;
    do {
        n = read(report_read.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        int wstatus = 0;
        waitpid(pid, &wstatus, 0);
        std::string what = step_name(failure.step);
        if (failure.step == kStepExec)
            what += " " + spec.argv.front();
        else if (failure.step == kStepChdir)
            what += " " + spec.working_dir;
        return Error::sys("workload: " + what, failure.err);
    }
    if (options.on_started)
        options.on_started(pid);

    for (;;) {
        signalfd_siginfo info{};
        ssize_t got = read(sfd.get(), &info, sizeof info);
        if (got < 0 && errno == EINTR)
            continue;
        if (got != static_cast<ssize_t>(sizeof info))
            return Error::sys("workload: reading the signalfd");
        int sig = static_cast<int>(info.ssi_signo);
        if (sig != SIGCHLD) {
            if (kill(pid, sig) == 0)
                ++st.signals_forwarded;
            continue;
        }
        // One SIGCHLD may stand for several children: reap until none is left waiting.
        std::optional<int> workload_status;
        for (;;) {
            int wstatus = 0;
            pid_t done = waitpid(-1, &wstatus, WNOHANG);
            if (done <= 0)
                break;
            if (done == pid)
                workload_status = status_of(wstatus);
            else
                ++st.orphans_reaped;
        }
        if (workload_status)
            return *workload_status;
    }
}

}  // namespace cw::guest
