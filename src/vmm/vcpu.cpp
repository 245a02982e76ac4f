#include "vmm/vcpu.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cstring>
#include <string>

namespace cw::vmm {

namespace {

int kick_signal() { return SIGRTMIN; }

void on_kick(int) {}  // only interrupts KVM_RUN

std::string describe(const VcpuExit& exit, uint32_t index) {
    std::string what = "vCPU " + std::to_string(index) + ": ";
    switch (exit.kind) {
    case VcpuExit::Kind::InternalError:
        return what + "KVM internal error, suberror " + std::to_string(exit.detail) +
               " (KVM could not emulate a guest instruction)";
    case VcpuExit::Kind::FailEntry:
        return what + "VM entry failed, hardware reason " + std::to_string(exit.detail);
    default:
        return what + "unexpected exit reason " + std::to_string(exit.detail);
    }
}

}  // namespace

void Vcpu::install_kick_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_kick;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
    sigaction(kick_signal(), &sa, nullptr);
}

void Vcpu::start(const Bus& pio, const Bus& mmio, StopSignal& stop) {
    m_thread = std::thread([this, &pio, &mmio, &stop] {
        // The main thread blocked the termination signals before starting vCPUs (they are
        // read from a signalfd there); vCPU threads only take the kick signal.
        sigset_t kick;
        sigemptyset(&kick);
        sigaddset(&kick, kick_signal());
        pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
        std::string name = "vcpu" + std::to_string(m_index);
        pthread_setname_np(pthread_self(), name.c_str());
        run_loop(pio, mmio, stop);
    });
}

void Vcpu::kick_and_join() {
    if (!m_thread.joinable())
        return;
    // immediate_exit first: a kick landing just before KVM_RUN is entered is not lost.
    m_fd.set_immediate_exit(true);
    pthread_kill(m_thread.native_handle(), kick_signal());
    m_thread.join();
}

void Vcpu::run_loop(const Bus& pio, const Bus& mmio, StopSignal& stop) {
    if (m_index == 0 && std::getenv("CW_VMM_STATS") != nullptr) {
        // For bench/boot: wall-clock time of the first KVM_RUN, to compare with the
        // caller's time before exec (set-up time of the VMM).
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        std::fprintf(stderr, "cw-vmm: stats first_kvm_run_ns=%lld\n",
                     static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
    }
    while (!stop.requested()) {
        auto exit = m_fd.run();
        if (!exit.ok()) {
            stop.request({StopReason::Kind::Fault, 0, "vCPU " + std::to_string(m_index) + ": " + exit.error().to_string()});
            return;
        }
        handle_exit(exit.value(), pio, mmio, stop);
    }
}

void Vcpu::handle_exit(const VcpuExit& exit, const Bus& pio, const Bus& mmio, StopSignal& stop) {
    switch (exit.kind) {
    case VcpuExit::Kind::IoOut:
    case VcpuExit::Kind::IoIn: {
        size_t element = exit.count == 0 ? 0 : exit.data.size() / exit.count;
        for (uint32_t i = 0; i < exit.count; ++i) {
            auto bytes = exit.data.subspan(i * element, element);
            if (exit.kind == VcpuExit::Kind::IoOut) {
                pio.write(exit.address, bytes);
            } else if (!pio.read(exit.address, bytes)) {
                std::memset(bytes.data(), 0xff, bytes.size());  // no device: the bus floats high
            }
        }
        return;
    }
    case VcpuExit::Kind::MmioWrite:
        mmio.write(exit.address, exit.data);
        return;
    case VcpuExit::Kind::MmioRead:
        if (!mmio.read(exit.address, exit.data))
            std::memset(exit.data.data(), 0, exit.data.size());
        return;
    case VcpuExit::Kind::Interrupted:
        return;  // the loop re-checks the stop flag
    case VcpuExit::Kind::Hlt:
    case VcpuExit::Kind::Shutdown:
    case VcpuExit::Kind::SystemEvent: {
        // With the in-kernel irqchip a guest only gets here by resetting or powering off. Which
        // exit it was is kept: a triple fault with no exit status is a guest crash to report.
        const char* what = exit.kind == VcpuExit::Kind::Shutdown ? "triple fault (KVM_EXIT_SHUTDOWN)"
                           : exit.kind == VcpuExit::Kind::Hlt    ? "halted with interrupts off (KVM_EXIT_HLT)"
                                                                 : "system event (KVM_EXIT_SYSTEM_EVENT)";
        stop.request({StopReason::Kind::GuestReset, 0, "vCPU " + std::to_string(m_index) + ": " + what});
        return;
    }
    case VcpuExit::Kind::InternalError:
    case VcpuExit::Kind::FailEntry:
    case VcpuExit::Kind::Unknown:
        stop.request({StopReason::Kind::Fault, 0, describe(exit, m_index)});
        return;
    }
}

}  // namespace cw::vmm
