#include "vmm_process.h"

#include <fcntl.h>
#include <dirent.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "console_socket.h"
#include "process_identity.h"

namespace cw::krun {

namespace {

constexpr int kReadyFd = 3;  // the child's end of the readiness pipe, after renumbering
constexpr int kVmFailed = 125;

// Closes every descriptor above `keep`. close_range(2) where the kernel has it (5.9+);
// otherwise each one /proc/self/fd lists. False if neither worked: a VMM that kept the
// container's lock or conmon's pipes would hang every later verb.
bool close_descriptors_above(int keep) {
    if (syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0U, 0) == 0)
        return true;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr)
        return false;
    const int own = dirfd(dir);
    while (const dirent* entry = readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end != entry->d_name && *end == '\0' && fd > keep && fd != own)
            ::close(static_cast<int>(fd));
    }
    closedir(dir);
    return true;
}

// Everything the child does before it reports ready; returns the open start FIFO.
Result<UniqueFd> prepare_child(const std::string& state_dir, const std::string& fifo,
                               const std::string& console_socket, std::optional<cwrun::ConfiguredVm>& vm,
                               const cwrun::VmLaunch& launch) {
    // The VMM's private Unix sockets (signal relay, sim report service) go under $TMPDIR.
    // conmon passes no TMPDIR, and /tmp may be any filesystem (on 9p a socket cannot be
    // bound); the container's state directory is on /run's tmpfs, private (0700) and removed
    // by delete.
    if (setenv("TMPDIR", state_dir.c_str(), 1) != 0)
        return Error::sys("setenv TMPDIR");
    // Its own session: Podman's and the terminal's process-group signals are for conmon.
    if (setsid() < 0)
        return Error::sys("setsid");
    if (!console_socket.empty()) {
        UniqueFd slave = CW_TRY(open_console(console_socket));
        CW_TRY(adopt_console(std::move(slave)));
    }
    // O_RDWR: the open never waits for a writer, and start's O_NONBLOCK open for writing
    // succeeds exactly while this process holds it.
    UniqueFd start(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
    if (!start.valid())
        return Error::sys("opening " + fifo);
    vm.emplace(CW_TRY(cwrun::configure(launch)));
    return start;
}

[[noreturn]] void run_child(int ready, const std::string& state_dir, const std::string& fifo, const std::string& console_socket,
                            const cwrun::VmLaunch& launch) {
    // Renumber the readiness pipe to 3 and close every other inherited descriptor: conmon's
    // sync and start pipes (_OCI_SYNCPIPE, _OCI_STARTPIPE) must see EOF when krun create
    // exits, not live as long as the VM.
    if (ready != kReadyFd) {
        if (dup2(ready, kReadyFd) < 0)
            _exit(kVmFailed);
    }
    if (!close_descriptors_above(kReadyFd))
        _exit(kVmFailed);
    // No core dump of the VMM: it would hold guest RAM (plaintext for none and sim).
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    std::optional<cwrun::ConfiguredVm> vm;
    auto start = prepare_child(state_dir, fifo, console_socket, vm, launch);
    if (!start.ok()) {
        std::string message = start.error().to_string();
        ssize_t written = ::write(kReadyFd, message.data(), message.size());
        (void)written;
        _exit(kVmFailed);
    }
    ::close(kReadyFd);  // EOF without a message: ready

    char byte = 0;
    ssize_t n;
    do {
        n = ::read(start->get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    start->reset();
    auto status = vm->enter();
    if (!status.ok()) {
        std::fprintf(stderr, "krun: %s\n", status.error().to_string().c_str());
        std::fflush(stderr);
        _exit(kVmFailed);
    }
    std::fflush(stdout);
    _exit(*status);
}

// The child's report: empty when it is ready.
std::string read_report(int fd) {
    std::string message;
    char buf[1024];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || message.size() > 4096)
            break;
        message.append(buf, static_cast<size_t>(n));
    }
    return message;
}

}  // namespace

Result<VmmProcess> spawn_vmm(const ContainerDir& dir, const cwrun::VmLaunch& launch,
                             const std::string& console_socket) {
    const std::string fifo = dir.file(kStartFifo);
    if (::mkfifo(fifo.c_str(), 0600) != 0)
        return Error::sys("creating " + fifo);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return Error::sys("pipe");
    UniqueFd report(pipe_fds[0]);
    UniqueFd ready(pipe_fds[1]);
    std::fflush(nullptr);  // nothing buffered may be written twice
    pid_t pid = fork();
    if (pid < 0)
        return Error::sys("fork");
    if (pid == 0) {
        report.reset();
        run_child(ready.get(), dir.path(), fifo, console_socket, launch);
    }
    ready.reset();
    const std::string message = read_report(report.get());
    int status = 0;
    const bool ended = waitpid(pid, &status, WNOHANG) == pid;
    if (!message.empty() || ended) {
        if (!ended) {  // never signal a pid already reaped: it may be someone else's by now
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        return Error::msg(message.empty() ? "the VMM process ended while it prepared the VM" : message);
    }
    auto start_time = process_start_time(pid);
    if (!start_time) {
        kill(pid, SIGKILL);
        return Error::msg("the VMM process vanished while it prepared the VM");
    }
    return VmmProcess{pid, *start_time};
}

}  // namespace cw::krun
