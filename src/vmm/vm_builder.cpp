// Vm::create: builds a bootable microVM in a fixed order, each step naming itself on error.
//   1. validate the request     4. KVM VM + irqchip + PIT, RAM slots
//   2. guest RAM                5. legacy devices on the port I/O bus
//   3. kernel, initrd, command line, zero page, MP table (before KVM: bad images fail early)
//                               6. vCPUs: CPUID, MSRs, registers, long mode, LAPIC
#include <sys/eventfd.h>
#include <sys/sysinfo.h>

#include <string>

#include "base/mapped_file.h"
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
#include "vmm/loader/kernel_loader.h"
#include "vmm/vm.h"

namespace cw::vmm {

namespace {

constexpr uint64_t kMaxKernelSize = 512 * x86::kMiB;
constexpr uint64_t kMaxInitrdSize = 2 * x86::kGiB;

Result<void> validate(const VmConfig& config) {
    if (config.vcpus == 0 || config.vcpus > kMaxVcpus)
        return Error::msg("--cpus " + std::to_string(config.vcpus) + ": must be between 1 and " +
                          std::to_string(kMaxVcpus));
    if (config.mem_mib < kMinMemMib)
        return Error::msg("--mem " + std::to_string(config.mem_mib) + " MiB: must be at least " +
                          std::to_string(kMinMemMib) + " MiB");
    struct sysinfo info {};
    if (::sysinfo(&info) == 0) {
        uint64_t host_mib = uint64_t{info.totalram} * info.mem_unit / x86::kMiB;
        if (config.mem_mib > host_mib)
            return Error::msg("--mem " + std::to_string(config.mem_mib) + " MiB: more than the host's " +
                              std::to_string(host_mib) + " MiB");
    }
    if (config.kernel_path.empty())
        return Error::msg("no kernel given");
    return {};
}

// The virtio devices the configuration asks for, created before KVM (a missing disk image
// is reported before anything else happens), in slot order.
struct VirtioPlan {
    std::vector<NamedVirtioDevice> devices;
    std::shared_ptr<devices::virtio::Console> console;  // also in devices, when configured
};

Result<VirtioPlan> create_virtio_devices(const VmConfig& config) {
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
    if (config.vsock)
        devices.push_back({"virtio-vsock", CW_TRY(dv::Vsock::create(*config.vsock).context("virtio-vsock"))});
    if (config.rng)
        devices.push_back({"virtio-rng", dv::Rng::create()});
    if (devices.size() > VirtioMmioSlots::kMaxDevices)
        return Error::msg(std::to_string(devices.size()) + " virtio devices requested: at most " +
                          std::to_string(VirtioMmioSlots::kMaxDevices));
    return plan;
}

// Base, device announcements, then the user's words: the user's come last so that they
// can override (and "--" followed by init's arguments must stay at the end).
std::string full_cmdline(const VmConfig& config, size_t virtio_devices) {
    std::string cmdline = kBaseCmdline;
    cmdline += config.console == ConsoleKind::Virtio ? " console=hvc0" : " console=ttyS0";
    if (virtio_devices > 0)
        cmdline += " " + VirtioMmioSlots::cmdline(virtio_devices);
    if (!config.extra_cmdline.empty())
        cmdline += " " + config.extra_cmdline;
    return cmdline;
}

// Loads kernel and initrd and writes every boot structure; returns the kernel entry point.
Result<GuestAddress> load_guest(GuestMemory& memory, const VmConfig& config, size_t virtio_devices) {
    auto kernel_file = CW_TRY(MappedFile::open(config.kernel_path, kMaxKernelSize).context("kernel"));
    auto kernel = CW_TRY(loader::load_kernel(kernel_file.bytes(), memory));

    uint32_t cmdline_max = kernel.setup ? kernel.setup->cmdline_size : 0;
    std::string cmdline = full_cmdline(config, virtio_devices);
    CW_TRY(x86::write_cmdline(memory, cmdline, cmdline_max));

    x86::BootParamsConfig boot{};
    boot.kernel_setup = kernel.setup;
    boot.cmdline = x86::kCmdlineAddr;
    boot.cmdline_size = static_cast<uint32_t>(cmdline.size());
    boot.e820 = x86::e820_map(memory);
    if (!config.initrd_path.empty()) {
        auto initrd_file = CW_TRY(MappedFile::open(config.initrd_path, kMaxInitrdSize).context("initrd"));
        auto initrd = initrd_file.bytes();
        uint32_t addr_max = kernel.setup ? kernel.setup->initrd_addr_max : 0x7fffffff;
        auto at = CW_TRY(x86::place_initrd(memory, initrd.size(), kernel.end.value(), addr_max));
        CW_TRY(memory.write(at, std::as_bytes(initrd)));
        boot.initrd = at;
        boot.initrd_size = static_cast<uint32_t>(initrd.size());
    }
    CW_TRY(x86::write_boot_params(memory, boot));
    return kernel.entry;
}

}  // namespace

Result<std::unique_ptr<Vm>> Vm::create(const VmConfig& config) {
    CW_TRY(validate(config));

    // The guest image and device back-ends first: a bad kernel, initrd or disk is reported
    // before touching KVM.
    auto virtio = CW_TRY(create_virtio_devices(config));
    auto regions = CW_TRY(x86::ram_regions(uint64_t{config.mem_mib} * x86::kMiB));
    auto memory = CW_TRY(GuestMemory::create_anonymous(regions));
    GuestAddress entry = CW_TRY(load_guest(memory, config, virtio.devices.size()));
    CW_TRY(x86::write_mptable(memory, config.vcpus));

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
    CW_TRY(vm->setup_devices());
    CW_TRY(vm->attach_virtio(std::move(virtio.devices), std::move(virtio.console)));
    CW_TRY(vm->setup_vcpus(config.vcpus, entry));
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

Result<void> Vm::setup_vcpus(uint32_t count, GuestAddress entry) {
    size_t run_size = CW_TRY(m_kvm.vcpu_mmap_size());
    auto supported = CW_TRY(m_kvm.supported_cpuid());
    auto long_mode = CW_TRY(x86::setup_long_mode(m_memory));
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
