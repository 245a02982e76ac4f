// Vm::create: builds a bootable microVM in a fixed order, each step naming itself on error.
//   1. validate the request     4. KVM VM + irqchip + PIT, RAM slots
//   2. guest RAM                5. legacy devices on the port I/O bus
//   3. the launch image (launch_image.h): kernel, initrd, command line, zero page, MP table,
//      page tables, GDT (before KVM: bad images fail early)
//                               6. vCPUs: CPUID, MSRs, registers, long mode, LAPIC
#include <sys/eventfd.h>
#include <sys/sysinfo.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/hex.h"

#include "devices/legacy/exit_port.h"
#include "devices/legacy/i8042.h"
#include "devices/legacy/serial_8250.h"
#include "devices/virtio/blk/block.h"
#include "devices/virtio/console/console.h"
#include "devices/virtio/rng/rng.h"
#include "devices/virtio/vsock/vsock.h"
#include "vmm/arch/x86_64/boot_params.h"
#include "vmm/arch/x86_64/boot_regs.h"
#include "vmm/arch/x86_64/cpuid.h"
#include "vmm/arch/x86_64/gdt.h"
#include "vmm/arch/x86_64/layout.h"
#include "vmm/arch/x86_64/memory_map.h"
#include "vmm/arch/x86_64/mptable.h"
#include "vmm/arch/x86_64/msrs.h"
#include "tee/sim/report_service.h"
#include "vmm/launch_image.h"
#include "vmm/vm.h"

namespace cw::vmm {

namespace {

// The host-side checks; load_launch_image checks what the image itself depends on.
Result<void> validate_host(const VmConfig& config) {
    struct sysinfo info {};
    if (::sysinfo(&info) == 0) {
        uint64_t host_mib = uint64_t{info.totalram} * info.mem_unit / x86::kMiB;
        if (config.mem_mib > host_mib)
            return Error::msg("--mem " + std::to_string(config.mem_mib) + " MiB: more than the host's " +
                              std::to_string(host_mib) + " MiB");
    }
    return {};
}

// The virtio devices the configuration asks for, created before KVM (a missing disk image
// is reported before anything else happens), in slot order.
struct VirtioPlan {
    std::vector<NamedVirtioDevice> devices;
    std::shared_ptr<devices::virtio::Console> console;  // also in devices, when configured
};

Result<VirtioPlan> create_virtio_devices(const VmConfig& config, const std::string& sim_report_socket,
                                         const std::string& signal_relay_socket) {
    namespace dv = devices::virtio;
    VirtioPlan plan;
    auto& devices = plan.devices;
    if (config.console == ConsoleKind::Virtio) {
        plan.console = CW_TRY(dv::Console::create(STDIN_FILENO, STDOUT_FILENO).context("virtio-console"));
        devices.push_back({"virtio-console", plan.console});
    }
    for (size_t i = 0; i < config.disks.size(); ++i) {
        std::string name = "virtio-blk vd" + std::string(1, static_cast<char>('a' + (i % 26)));
        auto disk = CW_TRY(dv::Block::open(config.disks[i]).context(name));
        devices.push_back({std::move(name), std::move(disk)});
    }
    if (config.vsock || !sim_report_socket.empty() || !signal_relay_socket.empty()) {
        dv::VsockConfig vsock = config.vsock.value_or(dv::VsockConfig{});
        if (!sim_report_socket.empty())
            vsock.targets.push_back({tee::kSimReportVsockPort, sim_report_socket, "", 0});
        if (!signal_relay_socket.empty())
            vsock.listeners.push_back({signal_relay_socket, kSignalRelayVsockPort});
        devices.push_back({"virtio-vsock", CW_TRY(dv::Vsock::create(vsock).context("virtio-vsock"))});
    }
    if (config.rng)
        devices.push_back({"virtio-rng", dv::Rng::create()});
    if (devices.size() > VirtioMmioSlots::kMaxDevices)
        return Error::msg(std::to_string(devices.size()) + " virtio devices requested: at most " +
                          std::to_string(VirtioMmioSlots::kMaxDevices));
    return plan;
}

// --tee sim: the launch digest over the image, and the report service that signs it.
Result<std::unique_ptr<tee::SimReportService>> start_sim(const VmConfig& config, const LaunchImage& image) {
    if (config.sim_key_path.empty())
        return Error::msg("--tee sim needs --sim-key KEY.pem (the host's P-384 private key)");
    auto digest = CW_TRY(measure_launch_image(image, config.vcpus).context("sim launch measurement"));
    if (std::getenv("CW_VMM_STATS") != nullptr)
        std::fprintf(stderr, "cw-vmm: sim launch measurement %s\n", to_hex_lower(digest.digest()).c_str());
    attest::SimReportInput fields;
    fields.measurement = digest.digest();
    if (image.workload_host_data)
        fields.host_data = *image.workload_host_data;
    return tee::SimReportService::start(config.sim_key_path, fields);
}

}  // namespace

Result<std::unique_ptr<Vm>> Vm::create(const VmConfig& config) {
    // Never boot an SNP-shaped image as an ordinary VM: that would be a silent fallback.
    if (config.tee == TeeKind::Snp)
        return Error::msg("--tee snp: this VMM does not boot SEV-SNP guests yet (cw-measure and oci2cw compute "
                          "their launch measurement)");
    CW_TRY(validate_host(config));

    // The guest image and device back-ends first: a bad kernel, initrd or disk is reported
    // before touching KVM.
    auto image = CW_TRY(load_launch_image(config));
    std::unique_ptr<tee::SimReportService> sim;
    if (config.tee == TeeKind::Sim)
        sim = CW_TRY(start_sim(config, image));
    std::unique_ptr<SignalRelay> relay;
    if (config.forward_signals)
        relay = CW_TRY(SignalRelay::create());
    auto virtio = CW_TRY(create_virtio_devices(config, sim ? sim->socket_path() : std::string(),
                                               relay ? relay->socket_path() : std::string()));
    // The command line announced virtio_device_count() devices; the slots must agree.
    if (virtio.devices.size() != virtio_device_count(config))
        return Error::msg("internal error: " + std::to_string(virtio.devices.size()) + " virtio devices created, " +
                          std::to_string(virtio_device_count(config)) + " announced");
    auto& memory = image.memory;

    auto kvm = CW_TRY(Kvm::open());
    CW_TRY(kvm.require_vm_capabilities());
    auto vm_fd = CW_TRY(kvm.create_vm());
    CW_TRY(vm_fd.set_tss_address(x86::kTssAddr));
    CW_TRY(vm_fd.set_identity_map_address(x86::kIdentityMapAddr));
    CW_TRY(vm_fd.create_irqchip());
    CW_TRY(vm_fd.create_pit2());
    uint32_t slot = 0;
    for (const auto& r : memory.regions())
        CW_TRY(vm_fd.set_user_memory_region(slot++, r.start, r.size, r.host));

    auto stop = CW_TRY(StopSignal::create());
    std::unique_ptr<Vm> vm(new Vm(std::move(kvm), std::move(vm_fd), std::move(memory), std::move(stop)));
    vm->m_sim_service = std::move(sim);
    vm->m_signal_relay = std::move(relay);
    CW_TRY(vm->setup_devices());
    CW_TRY(vm->attach_virtio(std::move(virtio.devices), std::move(virtio.console)));
    CW_TRY(vm->setup_vcpus(config.vcpus, image.entry, image.long_mode));
    return vm;
}

Result<void> Vm::setup_devices() {
    int irq = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (irq < 0)
        return Error::sys("eventfd for the serial IRQ");
    m_serial_irq.reset(irq);
    CW_TRY(m_vm.register_irqfd(irq, x86::kSerialIrq));

    m_serial = std::make_shared<devices::Serial8250>(STDOUT_FILENO, [irq] {
        uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(irq, &one, sizeof one);
    });
    CW_TRY(m_pio.insert(m_serial, x86::kCom1Port, 8));

    auto* stop = &m_stop;
    auto i8042 = std::make_shared<devices::I8042>(
        [stop] { stop->request({StopReason::Kind::GuestReset, 0, "guest reset through the i8042"}); });
    CW_TRY(m_pio.insert(i8042, x86::kI8042DataPort, x86::kI8042CommandPort - x86::kI8042DataPort + 1));

    m_exit_port = std::make_shared<devices::ExitPort>([](uint8_t) {});
    CW_TRY(m_pio.insert(m_exit_port, x86::kExitStatusPort, 1));
    return {};
}

Result<void> Vm::attach_virtio(std::vector<NamedVirtioDevice> devices,
                               std::shared_ptr<devices::virtio::Console> console) {
    m_console = std::move(console);
    for (auto& d : devices)
        CW_TRY(m_virtio.attach(std::move(d.name), std::move(d.device), m_vm, m_memory, m_mmio));
    return {};
}

Result<void> Vm::setup_vcpus(uint32_t count, GuestAddress entry, const x86::LongModeState& long_mode) {
    size_t run_size = CW_TRY(m_kvm.vcpu_mmap_size());
    auto supported = CW_TRY(m_kvm.supported_cpuid());
    auto msrs = x86::boot_msrs();
    for (uint32_t i = 0; i < count; ++i) {
        auto fd = CW_TRY(m_vm.create_vcpu(i, run_size));
        auto step = [i](const char* what) { return "vCPU " + std::to_string(i) + ": " + what; };
        CW_TRY(fd.set_cpuid(x86::filter_cpuid(supported, i, count)).context(step("CPUID")));
        CW_TRY(fd.set_msrs(msrs).context(step("MSRs")));
        CW_TRY(fd.set_fpu_defaults());
        CW_TRY(fd.set_lapic_lint());
        // Application processors wait for INIT/SIPI from the boot vCPU, which resets their
        // registers; only the boot vCPU starts at the kernel entry in long mode.
        if (i == 0) {
            CW_TRY(fd.set_long_mode(long_mode));
            CW_TRY(fd.set_regs(x86::boot_registers(entry)));
        }
        m_vcpus.push_back(std::make_unique<Vcpu>(i, std::move(fd)));
    }
    return {};
}

}  // namespace cw::vmm
