// The first things PID 1 does: the pseudo filesystems, loopback and the hostname.
// Each mount is skipped when something is already mounted there (idempotent: a second run,
// or a kernel that mounted devtmpfs itself).
#pragma once

#include <string>

#include "base/result.h"

namespace cw::guest {

// /proc, /sys, /dev (devtmpfs), /run (tmpfs), /sys/kernel/config (configfs).
Result<void> mount_pseudo_filesystems();
// lo up with 127.0.0.1/8.
Result<void> bring_up_loopback();
Result<void> set_hostname(const std::string& name);

// True when `path` is a mount point (a different device than its parent, or the root).
Result<bool> is_mount_point(const std::string& path);

}  // namespace cw::guest
