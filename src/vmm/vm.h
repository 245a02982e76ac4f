// A built microVM: KVM objects, guest memory, buses with their devices, and vCPUs.
// Vm::create (vm_builder.cpp) assembles it; run() executes it until the guest stops.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "tee/sim/report_service.h"
#include "vmm/arch/x86_64/gdt.h"
#include "vmm/bus/bus.h"
#include "vmm/kvm/kvm.h"
#include "vmm/memory/guest_memory.h"
#include "vmm/signal_relay.h"
#include "vmm/stop_signal.h"
#include "vmm/vcpu.h"
#include "vmm/virtio_mmio_slots.h"
#include "vmm/vm_config.h"

namespace cw::devices {
class ExitPort;
class Serial8250;
namespace virtio {
class Console;
}
}  // namespace cw::devices

namespace cw::vmm {

struct NamedVirtioDevice {
    std::string name;  // for errors: "virtio-blk vda", ...
    std::shared_ptr<devices::virtio::VirtioDevice> device;
};

class Vm {
public:
    static Result<std::unique_ptr<Vm>> create(const VmConfig& config);
    ~Vm();

    // Runs the guest until it resets, faults or the VMM gets SIGTERM/SIGINT/SIGHUP.
    // Returns the process exit status: the status the guest reported on the exit port,
    // 128 + signal when the host stopped it, or kVmmFailureStatus when the VM failed or the
    // guest stopped without reporting a status.
    [[nodiscard]] Result<int> run();

private:
    Vm(Kvm kvm, VmFd vm, GuestMemory memory, StopSignal stop)
        : m_kvm(std::move(kvm)), m_vm(std::move(vm)), m_memory(std::move(memory)), m_stop(std::move(stop)) {}
    [[nodiscard]] Result<void> setup_devices();
    [[nodiscard]] Result<void> attach_virtio(std::vector<NamedVirtioDevice> devices,
                                             std::shared_ptr<devices::virtio::Console> console);
    void on_window_change() const;
    void on_termination_signal(int signo);
    [[nodiscard]] Result<void> setup_vcpus(uint32_t count, GuestAddress entry, const x86::LongModeState& long_mode);
    [[nodiscard]] int exit_status() const;
    void print_stats() const;

    Kvm m_kvm;
    VmFd m_vm;
    GuestMemory m_memory;
    StopSignal m_stop;
    bool m_signal_forwarded = false;
    Bus m_pio;
    Bus m_mmio;
    UniqueFd m_serial_irq;
    std::shared_ptr<devices::Serial8250> m_serial;
    std::shared_ptr<devices::ExitPort> m_exit_port;
    VirtioMmioSlots m_virtio;
    std::shared_ptr<devices::virtio::Console> m_console;  // when the console is virtio
    std::unique_ptr<tee::SimReportService> m_sim_service;  // --tee sim
    std::unique_ptr<SignalRelay> m_signal_relay;           // when signals go to the workload first
    // Declared last: destroyed (joined) first, before the buses and devices they use.
    std::vector<std::unique_ptr<Vcpu>> m_vcpus;
};

}  // namespace cw::vmm
