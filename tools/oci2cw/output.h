// What oci2cw leaves in --output, built up stage by stage. Phase 1 has one stage
// (rootfs.squashfs); LUKS2 encryption, dm-verity and the launch measurement will each
// add their file and fields here, after the squashfs, without changing earlier stages.
#pragma once

#include <string>

#include "base/result.h"
#include "image/image.h"

namespace cw::oci {

constexpr const char* kRootfsFile = "rootfs.squashfs";
constexpr const char* kImageJsonFile = "image.json";

struct Artifacts {
    std::string rootfs_path;
    std::string rootfs_sha256;  // hex
    uint64_t rootfs_size = 0;
};

// SHA-256 and size of a finished output file.
[[nodiscard]] Result<void> hash_file(const std::string& path, std::string& hex, uint64_t& size);

// image.json: the workload's process (entrypoint, cmd, env, working dir, user) and the
// disk it runs from; written last, atomically.
[[nodiscard]] Result<void> write_image_json(const std::string& dir, const ImageConfig& config, const Artifacts& a);
[[nodiscard]] std::string summary_json(const ImageConfig& config, const Artifacts& a);

}  // namespace cw::oci
