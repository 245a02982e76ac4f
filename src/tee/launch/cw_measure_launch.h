// `cw-measure launch`: the sim launch digest of a kernel/initramfs/command line/workload
// config/vCPUs/memory, computed by building the VMM's own launch image (vmm/launch_image.h)
// into anonymous memory, without KVM. Prints what `cwrun --tee sim` with the same options
// computes at launch and puts into the report's MEASUREMENT.
#pragma once

namespace cw::tee::cli {

// argv[0] is "launch"; returns the process exit status (0, or 2 after one line on stderr).
int run_launch_command(int argc, char** argv);

}  // namespace cw::tee::cli
