// The two places oci2cw calls Podman: `podman load` of the image it wrote (--podman-load)
// and `podman save` of a local image (containers-storage:NAME). Podman is run without a
// shell, found on PATH; its stdout goes to our stderr (our stdout is for --json) and the
// last line of its stderr ends our error message when it fails.
#pragma once

#include <string>

#include "base/result.h"
#include "image/image.h"

namespace cw::oci {

// The podman executable on PATH, or an error saying what `purpose` needed it.
[[nodiscard]] Result<std::string> find_podman(const std::string& purpose);

// podman load -i FILE
[[nodiscard]] Result<void> podman_load(const std::string& podman, const std::string& file);

// podman save --format oci-archive -o FILE NAME. NAME is checked first: it must look like
// an image name or id (no leading '-', no spaces or control characters, at most 255 bytes).
[[nodiscard]] Result<void> podman_save(const std::string& podman, const std::string& name, const std::string& file);

// containers-storage:NAME: `podman save --format oci-archive` into a private temporary
// directory under $TMPDIR, opened as an oci-archive (whose store stages the blobs it needs),
// then deleted before this returns. The simplest path that keeps every check: the archive
// carries the image's manifest, config and layers, all verified like any other input
// (`podman image mount` would need root or `podman unshare` and gives an already flattened
// tree nothing can be verified against). It costs one copy of the image on $TMPDIR.
[[nodiscard]] Result<Image> open_podman_image(const std::string& podman, const std::string& name, uint64_t max_bytes,
                                             const Platform& platform);

}  // namespace cw::oci
