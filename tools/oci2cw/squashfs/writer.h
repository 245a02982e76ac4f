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

[[nodiscard]] Result<void> write_squashfs(const Tree& tree, const LayerOpener& open_layer, const std::string& path);

}  // namespace cw::oci
