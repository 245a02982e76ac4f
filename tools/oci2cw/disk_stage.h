// The stage after the squashfs: append the dm-verity tree to it and, for a TEE, seal the
// result into a LUKS2 disk. The squashfs is written under a staging name; this stage
// renames it to rootfs.squashfs (--tee none) or encrypts it into disk.img and deletes the
// plaintext (a TEE), so --output never holds both, nor a half-written file.
#pragma once

#include <array>
#include <string>

#include "disk/secret.h"
#include "disk/verity.h"
#include "image/image.h"
#include "output.h"

namespace cw::oci {

// The dm-verity salt, derived from the layers' diff_ids (the uncompressed tars' digests,
// the same whatever the transport: oci:, oci-archive:, docker-archive:). Deterministic so
// that the same image gives the same root hash run after run; distinct per image, which is
// all a verity salt is for (it is not secret: it is in image.json).
[[nodiscard]] std::array<uint8_t, disk::kVeritySaltSize> verity_salt(const Image& image);

// `staging` holds the finished squashfs. `secret` is null for --tee none (no encryption).
// Fills everything in `a` but the process description.
[[nodiscard]] Result<void> finish_disk(const std::string& staging, const std::string& out_dir,
                                       std::span<const uint8_t, disk::kVeritySaltSize> salt,
                                       const disk::Secret* secret, Artifacts& a);

}  // namespace cw::oci
