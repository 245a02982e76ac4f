// Pass 1 over an image: reads every layer's headers (contents are read only to be hashed
// and size-checked), verifies the layer's digests, and applies it to the tree.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "image/image.h"
#include "layers/layer_stream.h"
#include "layers/limits.h"
#include "layers/tree.h"

namespace cw::oci {

// Reads all entries of one layer and verifies its digests; `entries_left` is the image's
// remaining entry budget.
[[nodiscard]] Result<std::vector<TarEntry>> read_layer(LayerStream& stream, const Limits& limits,
                                                       uint64_t& entries_left);

// Called with the number of stored (compressed) bytes just read from layer `layer`.
using ReadObserver = std::function<void(size_t layer, size_t bytes)>;

// Opens layer `i` of the image as a verifying stream.
[[nodiscard]] Result<std::unique_ptr<LayerStream>> open_layer(const Image& image, size_t i, const Limits& limits,
                                                              uint64_t& budget, const ReadObserver& observer = {});

// The stored size of every layer (the blob's, or the archive member's): the progress total.
[[nodiscard]] Result<uint64_t> stored_layer_bytes(const Image& image);

// "layer 2 (sha256:0123456789ab)": how every error about a layer starts.
[[nodiscard]] std::string layer_name(const Image& image, size_t i);

[[nodiscard]] Result<Tree> flatten(const Image& image, const Limits& limits, const ReadObserver& observer = {});

}  // namespace cw::oci
