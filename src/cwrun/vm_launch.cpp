#include "cwrun/vm_launch.h"

#include <optional>

#include "vmm/api/cw_vmm.h"

namespace cw::cwrun {

namespace {

std::optional<DiskSpec> parse_disk(const std::string& spec) {
    DiskSpec disk;
    size_t pos = spec.find(',');
    disk.path = spec.substr(0, pos);
    if (disk.path.empty())
        return std::nullopt;
    while (pos != std::string::npos) {
        size_t next = spec.find(',', pos + 1);
        std::string option = spec.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        if (option == "ro")
            disk.read_only = true;
        else if (option.rfind("id=", 0) == 0 && option.size() > 3)
            disk.id = option.substr(3);
        else
            return std::nullopt;
        pos = next;
    }
    return disk;
}

// The C API's last error on ctx as a Result error.
Error api_error(uint32_t ctx) { return Error::msg(cw_get_error(ctx)); }

}  // namespace

Result<std::vector<DiskSpec>> parse_disks(const std::vector<std::string>& specs) {
    std::vector<DiskSpec> disks;
    for (const auto& spec : specs) {
        auto disk = parse_disk(spec);
        if (!disk)
            return Error::msg("--disk '" + spec + "': expected FILE[,ro][,id=SERIAL]");
        disks.push_back(std::move(*disk));
    }
    return disks;
}

Result<VmLaunch> launch_from_plan(const ImageLaunch& plan, const std::string& sim_key) {
    VmLaunch l;
    l.cpus = plan.cpus;
    l.mem_mib = plan.mem_mib;
    l.kernel = plan.kernel;
    l.initrd = plan.initrd;
    l.cmdline = plan.cmdline;
    l.disks.push_back({plan.rootfs, true, kRootfsDiskId});
    for (auto& disk : CW_TRY(parse_disks(plan.extra_disks)))
        l.disks.push_back(std::move(disk));
    l.console = plan.console;
    if (plan.vsock_forward)
        l.vsock_forwards.push_back(*plan.vsock_forward);
    l.tee = plan.tee;
    l.sim_key = sim_key;
    l.workload_config = plan.workload_config;
    l.forward_signals = true;
    return l;
}

ConfiguredVm::~ConfiguredVm() {
    if (m_owned)
        cw_free_ctx(m_ctx);
}

Result<int> ConfiguredVm::enter() {
    int32_t status = cw_start_enter(m_ctx);
    if (status < 0)
        return api_error(m_ctx);
    return static_cast<int>(status);
}

Result<ConfiguredVm> configure(const VmLaunch& l) {
    int32_t ctx = cw_create_ctx();
    if (ctx < 0)
        return Error::msg("cannot create a VM context");
    ConfiguredVm vm(static_cast<uint32_t>(ctx));
    auto id = static_cast<uint32_t>(ctx);
    if (cw_set_vm_config(id, static_cast<uint8_t>(l.cpus), l.mem_mib) < 0)
        return api_error(id);
    if (cw_set_kernel(id, l.kernel.c_str(), l.initrd.empty() ? nullptr : l.initrd.c_str(), l.cmdline.c_str()) < 0)
        return api_error(id);
    for (const auto& disk : l.disks) {
        if (cw_add_disk(id, disk.id.empty() ? nullptr : disk.id.c_str(), disk.path.c_str(), disk.read_only) < 0)
            return api_error(id);
    }
    if (l.console != "virtio" && l.console != "serial")
        return Error::msg("--console '" + l.console + "': expected virtio or serial");
    cw_set_console(id, l.console == "virtio" ? CW_CONSOLE_VIRTIO : CW_CONSOLE_SERIAL);
    for (const auto& spec : l.vsock_forwards) {
        if (cw_add_vsock_forward(id, spec.c_str()) < 0)
            return api_error(id);  // the parser names the option
    }
    for (const auto& spec : l.vsock_listens) {
        if (cw_add_vsock_listen(id, spec.c_str()) < 0)
            return api_error(id);
    }
    if (l.tee != "sim" && !l.sim_key.empty())
        return Error::msg("--sim-key applies to --tee sim only");
    if (cw_set_tee(id, l.tee.c_str(), l.sim_key.c_str()) < 0)
        return api_error(id);
    if (!l.workload_config.empty() && cw_set_workload_config(id, l.workload_config.c_str()) < 0)
        return api_error(id);
    cw_set_forward_signals(id, l.forward_signals ? 1 : 0);
    return vm;
}

}  // namespace cw::cwrun
