#include "launch_stage.h"

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "output.h"
#include "vmm/launch_spec.h"

namespace cw::oci {

Result<ExpectedLaunch> expect_launch(const LaunchInputs& in) {
    if (in.tee != "sim" && in.tee != "snp")
        return Error::msg("--tee " + in.tee + ": its launch measurement is not implemented");
    const std::string workload = in.out_dir + "/" + kWorkloadFile;
    const std::string disk = in.out_dir + "/" + kDiskFile;
    vmm::LaunchSpec spec;
    spec.tee = in.tee == "sim" ? vmm::TeeKind::Sim : vmm::TeeKind::Snp;
    spec.kernel_path = in.kernel_path;
    spec.initrd_path = in.initrd_path;
    spec.workload_config_path = workload;
    spec.vcpus = in.cpus;
    spec.mem_mib = in.ram_mib;
    spec.console = vmm::ConsoleKind::Virtio;
    spec.disks = 1;
    auto measured = CW_TRY(vmm::measure_launch_spec(spec).context("measuring the " + in.tee + " launch"));
    if (!measured.image.workload_host_data)
        return Error::msg("measuring the " + in.tee + " launch: no HOST_DATA for " + workload);

    ExpectedLaunch out;
    out.tee = in.tee;
    out.measurement = to_hex_lower(measured.digest.digest());
    out.host_data = to_hex_lower(*measured.image.workload_host_data);
    out.cmdline = measured.image.cmdline;
    // The same options, spelled as cwrun takes them (src/cwrun/main.cpp).
    out.cwrun_args = {"cwrun", "--tee", in.tee, "--kernel", in.kernel_path};
    if (!in.initrd_path.empty())
        out.cwrun_args.insert(out.cwrun_args.end(), {"--initrd", in.initrd_path});
    out.cwrun_args.insert(out.cwrun_args.end(), {"--workload-config", workload, "--disk", disk, "--cpus",
                                                 std::to_string(in.cpus), "--mem", std::to_string(in.ram_mib)});
    return out;
}

std::string measurement_json(const ExpectedLaunch& launch) {
    nlohmann::ordered_json j = {
        {"tee", launch.tee},
        {"measurement", launch.measurement},
        {"host_data", launch.host_data},
        {"cmdline", launch.cmdline},
        {"cwrun", launch.cwrun_args},
        {"note", launch.tee == "sim"
                     ? "also give cwrun --sim-key and the --vsock-forward the guest reaches the attestation server "
                       "through; they do not change the measurement. Any other image-shaping option does."
                     : "the SEV-SNP launch digest on a host with the C-bit at 51 and KVM's VMSA for SNP VMs "
                       "(docs/measurement.md); this VMM does not boot SNP guests yet."},
    };
    return j.dump(2) + "\n";
}

}  // namespace cw::oci
