#include "vmm/sim_launch_spec.h"

namespace cw::vmm {

VmConfig sim_launch_config(const SimLaunchSpec& spec) {
    VmConfig config;
    config.tee = TeeKind::Sim;
    config.kernel_path = spec.kernel_path;
    config.initrd_path = spec.initrd_path;
    config.extra_cmdline = spec.extra_cmdline;
    config.workload_config_path = spec.workload_config_path;
    config.vcpus = spec.vcpus;
    config.mem_mib = spec.mem_mib;
    config.console = spec.console;
    config.disks.resize(spec.disks);
    return config;
}

Result<SimLaunchMeasurement> measure_sim_launch_spec(const SimLaunchSpec& spec, bool trace) {
    VmConfig config = sim_launch_config(spec);
    LaunchImage image = CW_TRY(load_launch_image(config));
    tee::SnpLaunchDigest digest = CW_TRY(measure_launch_image(image, config.vcpus, trace));
    return SimLaunchMeasurement{std::move(image), std::move(digest)};
}

}  // namespace cw::vmm
