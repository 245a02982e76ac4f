// Writes a flattened tree as a squashfs image (zstd, 128 KiB blocks) with libsquashfs.
// Reproducible: the superblock time is 0, every timestamp/owner/mode comes from the
// layers, directories are sorted by name bytes, inode numbers follow a fixed post-order
// walk, and file data is written in (layer, tar position) order. Contents are streamed
// from a second read of each layer, taking only the entries that survived flattening;
// that second read re-verifies the layer's digests (the blob could have changed).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "layers/layer_stream.h"
#include "layers/tree.h"

namespace cw::oci {

using LayerOpener = std::function<Result<std::unique_ptr<LayerStream>>(uint32_t layer)>;

// How the image is compressed. Neither setting changes what the image holds.
// - jobs: compressor threads. libsquashfs's block processor hands blocks to the workers and
//   writes their results back in submission order, so the image is byte-identical for any
//   count (a test checks). 0: one per CPU this process may run on.
// - zstd_level: 15 is libsquashfs's default (and gensquashfs's and mksquashfs's); lower
//   levels trade a larger image for much less compression time (docs/performance.md).
constexpr uint32_t kMaxSquashfsJobs = 256;
constexpr uint32_t kMinZstdLevel = 1;
constexpr uint32_t kMaxZstdLevel = 22;
struct SquashfsSettings {
    uint32_t jobs = 0;
    uint32_t zstd_level = 15;
};
[[nodiscard]] uint32_t default_squashfs_jobs();

[[nodiscard]] Result<void> write_squashfs(const Tree& tree, const LayerOpener& open_layer, const std::string& path,
                                          const SquashfsSettings& settings = {});

}  // namespace cw::oci
