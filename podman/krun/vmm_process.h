// The process Podman knows as the container: krun create forks it, it configures the VM
// (so a launch that cannot run fails at create), reports back, and then waits on the
// container's start FIFO; krun start releases it, and it runs the VM until the workload
// stops, exiting with the workload's status (128+N when a signal ends it). It is a child of
// krun create, which exits at once, so conmon (a subreaper) inherits and reaps it and reads
// the workload's status from it. It holds none of krun's or conmon's other descriptors.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "cwrun/vm_launch.h"
#include "state_store.h"

namespace cw::krun {

struct VmmProcess {
    int pid = 0;
    uint64_t start_time = 0;
};

// `console_socket` non-empty: the VMM's stdio is a new pty whose master goes to that socket.
[[nodiscard]] Result<VmmProcess> spawn_vmm(const ContainerDir& dir, const cwrun::VmLaunch& launch,
                                           const std::string& console_socket);

}  // namespace cw::krun
