// The two places oci2cw calls Podman: `podman load` of the image it wrote (--podman-load)
// and `podman save` of a local image (containers-storage:NAME). Podman is run without a
// shell, found on PATH; its stdout goes to our stderr (our stdout is for --json) and the
// last line of its stderr ends our error message when it fails.
#pragma once

#include <string>

#include "base/result.h"

namespace cw::oci {

// The podman executable on PATH, or an error saying what `purpose` needed it.
[[nodiscard]] Result<std::string> find_podman(const std::string& purpose);

// podman load -i FILE
[[nodiscard]] Result<void> podman_load(const std::string& podman, const std::string& file);

// podman save --format oci-archive -o FILE NAME. NAME is checked first: it must look like
// an image name or id (no leading '-', no spaces or control characters, at most 255 bytes).
[[nodiscard]] Result<void> podman_save(const std::string& podman, const std::string& name, const std::string& file);

}  // namespace cw::oci
