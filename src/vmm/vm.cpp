#include "vmm/vm.h"

#include <poll.h>
#include <csignal>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "devices/legacy/exit_port.h"
#include "devices/legacy/serial_8250.h"
#include "devices/virtio/console/console.h"
#include "devices/virtio/console/terminal.h"
#include "tee/sim/report_service.h"

namespace cw::vmm {

namespace {

sigset_t termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGWINCH);  // not a termination: the terminal's size changed
    return set;
}

}  // namespace

Vm::~Vm() {
    for (auto& vcpu : m_vcpus)
        vcpu->kick_and_join();
}

Result<int> Vm::run() {
    // Termination signals are taken through a signalfd on this thread; block them before
    // the vCPU threads start so that they inherit the mask.
    sigset_t term = termination_signals();
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &term, &previous);
    UniqueFd signals(::signalfd(-1, &term, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signals.valid())
        return Error::sys("signalfd");
    Vcpu::install_kick_handler();
    // The console goes to stdout; a reader that goes away must not kill the VMM.
    ::signal(SIGPIPE, SIG_IGN);
    // A terminal on stdin belongs to the guest's console while the VM runs: raw, so that
    // keys (Ctrl-C too) reach the guest's line discipline; restored when run() returns (and
    // at exit()).
    std::optional<devices::virtio::TerminalRawMode> raw_terminal;
    if (m_console) {
        auto raw = devices::virtio::TerminalRawMode::enter(STDIN_FILENO);
        if (raw.ok())
            raw_terminal.emplace(std::move(raw).value());
        else
            std::fprintf(stderr, "cwrun: %s (the console stays in line mode)\n", raw.error().to_string().c_str());
    }

    for (auto& vcpu : m_vcpus)
        vcpu->start(m_pio, m_mmio, m_stop);

    while (!m_stop.requested()) {
        pollfd fds[2] = {{m_stop.fd(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
            m_stop.request({StopReason::Kind::Fault, 0, Error::sys("poll").to_string()});
            break;
        }
        signalfd_siginfo info{};
        if ((fds[1].revents & POLLIN) != 0 && ::read(signals.get(), &info, sizeof info) == sizeof info) {
            if (info.ssi_signo == SIGWINCH)
                on_window_change();
            else
                on_termination_signal(static_cast<int>(info.ssi_signo));
        }
    }
    for (auto& vcpu : m_vcpus)
        vcpu->kick_and_join();
    m_serial->flush();
    // The guest's last console output and socket bytes (it may power off right after
    // writing them) reach the host before the devices go away.
    m_virtio.drain_at_exit(std::chrono::seconds(2));
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (std::getenv("CW_VMM_STATS") != nullptr)
        print_stats();
    return exit_status();
}

// The first termination signal goes to the workload when the guest's relay takes it: the VM
// runs on until the workload exits (its status, 143 if SIGTERM killed it). Without a relay,
// when the guest does not answer, or on a second signal, the VM stops now: 128 + signal.
void Vm::on_termination_signal(int signo) {
    if (m_signal_relay && !m_signal_forwarded &&
        m_signal_relay->forward(signo, std::chrono::milliseconds(2000))) {
        m_signal_forwarded = true;
        std::fprintf(stderr, "cwrun: %s passed to the workload (a second one stops the VM at once)\n",
                     ::strsignal(signo));
        return;
    }
    m_stop.request({StopReason::Kind::HostSignal, signo, ""});
}

void Vm::on_window_change() const {
    winsize size{};
    if (m_console && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
        m_console->resize(size.ws_col, size.ws_row);
}

// For bench/boot: the VMM's peak resident memory beyond the guest RAM it touched.
// Guest pages are never returned once touched, so at exit resident guest pages are at
// their peak and VmHWM minus them bounds what the VMM itself used.
void Vm::print_stats() const {
    uint64_t hwm_kib = 0;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0)
            hwm_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
    }
    uint64_t guest_resident_kib = 0;
    auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    for (const auto& r : m_memory.regions()) {
        std::vector<unsigned char> pages(r.size / page);
        if (::mincore(r.host, r.size, pages.data()) != 0)
            continue;
        for (unsigned char p : pages)
            guest_resident_kib += (p & 1) * (page / 1024);
    }
    std::fprintf(stderr, "cw-vmm: stats vm_hwm_kib=%llu guest_resident_kib=%llu overhead_kib=%lld\n",
                 static_cast<unsigned long long>(hwm_kib), static_cast<unsigned long long>(guest_resident_kib),
                 static_cast<long long>(hwm_kib) - static_cast<long long>(guest_resident_kib));
}

int Vm::exit_status() const {
    auto reason = m_stop.reason();
    switch (reason->kind) {
    case StopReason::Kind::HostSignal:
        return 128 + reason->signal;
    case StopReason::Kind::Fault:
        std::fprintf(stderr, "cw-vmm: %s\n", reason->message.c_str());
        return kVmmFailureStatus;
    case StopReason::Kind::GuestReset:
        break;
    }
    if (auto status = m_exit_port->status())
        return *status;
    std::fprintf(stderr, "cw-vmm: guest stopped without reporting an exit status (kernel panic, or a reboot "
                         "not done by the guest init): %s\n", reason->message.c_str());
    return kVmmFailureStatus;
}

}  // namespace cw::vmm
