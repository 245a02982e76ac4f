// The workload's root: the verified squashfs read-only, a tmpfs-backed overlay on top (the
// workload can write; nothing reaches the disk), then switch_root-style: the pseudo
// filesystems move into the new root, the new root moves onto "/" (MS_MOVE) and we chroot.
// Mount points live under /cw in the initramfs, so they stay out of the workload's view.
#pragma once

#include <string>

#include "base/result.h"

namespace cw::guest {

// Mounts the squashfs from `device` and the overlay; returns the new root's path.
Result<std::string> mount_root(const std::string& device);

// Moves /dev, /proc, /sys, /run into `new_root`, makes it "/" and chroots into it.
Result<void> switch_root(const std::string& new_root);

}  // namespace cw::guest
