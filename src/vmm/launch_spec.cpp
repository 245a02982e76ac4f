#include "vmm/launch_spec.h"

namespace cw::vmm {

VmConfig launch_spec_config(const LaunchSpec& spec) {
    VmConfig config;
    config.tee = spec.tee;
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

Result<LaunchMeasurement> measure_launch_spec(const LaunchSpec& spec, bool trace) {
    if (spec.tee != TeeKind::Sim && spec.tee != TeeKind::Snp)
        return Error::msg("internal error: a launch measurement for a launch without a TEE");
    VmConfig config = launch_spec_config(spec);
    LaunchImage image = CW_TRY(load_launch_image(config));
    tee::SnpLaunchDigest digest = CW_TRY(measure_launch_image(image, config.vcpus, trace));
    return LaunchMeasurement{std::move(image), std::move(digest)};
}

}  // namespace cw::vmm
