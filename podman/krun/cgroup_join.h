// Puts the VMM process into the container's cgroup (linux.cgroupsPath with Podman's cgroupfs
// manager, e.g. /libpod_parent/libpod-ID), so `podman top`, `podman stats` and Podman's own
// cleanup find it. krun applies no device rules or limits of the container's: they describe
// a host container, while this process is a VMM that needs /dev/kvm, and the workload's
// limits are the VM's size from its measured configuration. The systemd manager's
// "slice:prefix:name" form needs a D-Bus scope and is not supported (Podman uses cgroupfs on
// hosts without systemd).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace cw::krun {

// Joins `pid` to cgroups_path in the unified hierarchy (cgroup v2) or in every v1 hierarchy
// that takes it. Returns the directories it created (for remove_cgroups).
[[nodiscard]] Result<std::vector<std::string>> join_cgroup(const std::string& cgroups_path, int pid,
                                                           const std::string& mount_root = "/sys/fs/cgroup");

// rmdir of each directory; one still in use is left (its processes are gone a moment later
// once conmon has reaped the VMM) and reported.
[[nodiscard]] Result<void> remove_cgroups(const std::vector<std::string>& dirs);

}  // namespace cw::krun
