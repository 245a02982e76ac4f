// One vCPU on its own host thread: runs KVM_RUN and dispatches port I/O and MMIO exits to
// the buses. Never does device I/O beyond the register access itself.
#pragma once

#include <pthread.h>

#include <cstdint>
#include <thread>

#include "vmm/bus/bus.h"
#include "vmm/kvm/vcpu_fd.h"
#include "vmm/stop_signal.h"

namespace cw::vmm {

class Vcpu {
public:
    Vcpu(uint32_t index, VcpuFd fd) : m_index(index), m_fd(std::move(fd)) {}
    Vcpu(Vcpu&&) = delete;

    VcpuFd& fd() { return m_fd; }

    // Starts the thread; it runs until `stop` is requested.
    void start(const Bus& pio, const Bus& mmio, StopSignal& stop);
    // Makes a running KVM_RUN return (immediate_exit + a signal), then joins the thread.
    void kick_and_join();

    // The real-time signal used to kick vCPU threads out of KVM_RUN; installed once.
    static void install_kick_handler();

private:
    void run_loop(const Bus& pio, const Bus& mmio, StopSignal& stop);
    void handle_exit(const VcpuExit& exit, const Bus& pio, const Bus& mmio, StopSignal& stop);

    uint32_t m_index;
    VcpuFd m_fd;
    std::thread m_thread;
};

}  // namespace cw::vmm
