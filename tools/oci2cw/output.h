// What oci2cw leaves in --output, built up stage by stage: the root filesystem file
// (rootfs.squashfs with its dm-verity tree for --tee none; disk.img, the LUKS2 container
// of the same bytes, for a TEE) and image.json describing the process and that disk.
// docs/disk-format.md is the reference for the fields under "rootfs".
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "disk/luks2.h"
#include "disk/verity.h"
#include "image/image.h"

namespace cw::oci {

constexpr const char* kRootfsFile = "rootfs.squashfs";
constexpr const char* kDiskFile = "disk.img";
constexpr const char* kImageJsonFile = "image.json";

struct Artifacts {
    std::string rootfs_file;    // kRootfsFile or kDiskFile, inside --output
    std::string rootfs_sha256;  // hex, of the whole file
    uint64_t rootfs_size = 0;
    uint64_t squashfs_size = 0;                  // the squashfs alone, before padding and tree
    disk::VerityInfo verity;                     // offsets within the (decrypted) payload
    std::optional<disk::LuksInfo> luks;          // set for an encrypted disk
};

// SHA-256 and size of a finished output file.
[[nodiscard]] Result<void> hash_file(const std::string& path, std::string& hex, uint64_t& size);

// image.json: the workload's process (entrypoint, cmd, env, working dir, user) and the
// disk it runs from; written last, atomically.
[[nodiscard]] Result<void> write_image_json(const std::string& dir, const ImageConfig& config, const Artifacts& a);
[[nodiscard]] std::string summary_json(const ImageConfig& config, const Artifacts& a);

}  // namespace cw::oci
