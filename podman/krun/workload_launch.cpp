#include "workload_launch.h"

#include <sys/stat.h>

#include "admission.h"
#include "cwrun/image_launch.h"
#include "cwrun/workload_file.h"
#include "vmm/api/cw_vmm.h"

namespace cw::krun {

namespace {

std::string setting(const BundleConfig& config, const char* annotation, const std::string& global) {
    auto it = config.annotations.find(annotation);
    return it != config.annotations.end() ? it->second : global;
}

}  // namespace

Result<cwrun::VmLaunch> plan_container_launch(const BundleConfig& config, const GlobalOptions& global) {
    const std::string workload_json = config.root_path + "/" + cwrun::kWorkloadFileName;
    struct stat st {};
    if (::stat(workload_json.c_str(), &st) != 0)
        return Error::msg("this image is not a confidential workload image (its root has no /workload.json), and "
                          "krun runs only those: convert it with `oci2cw containers-storage:IMAGE --output DIR --tee "
                          "none|sim|snp|tdx --output-image oci-archive:DIR/image.tar --podman-load` and run the "
                          "image it loads (localhost/WORKLOAD-ID)");
    const auto workload = CW_TRY(cwrun::read_workload_file(workload_json));
    const auto admitted = CW_TRY(admit(config, workload.tee));

    const std::string sim_key = setting(config, kSimKeyAnnotation, global.sim_key);
    if (workload.tee == "sim" && sim_key.empty())
        return Error::msg("a sim workload needs the host's sim report key: podman run --annotation " +
                          std::string(kSimKeyAnnotation) + "=/path/key.pem, or --runtime-flag sim-key=/path/key.pem");
    cwrun::ImageOptions options;
    if (auto url = setting(config, kAttestUrlAnnotation, global.attest_url); !url.empty())
        options.attest_url = url;
    options.guest_args = admitted.guest_args;
    const char* kernel = cw_default_kernel();
    const char* initrd = cw_default_initrd();
    const auto plan = CW_TRY(cwrun::plan_image_launch(
        workload, options, {kernel != nullptr ? kernel : "", initrd != nullptr ? initrd : ""}));
    return cwrun::launch_from_plan(plan, workload.tee == "sim" ? sim_key : "");
}

}  // namespace cw::krun
