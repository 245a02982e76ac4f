// An image, resolved and verified as far as its JSON goes: the config (already checked
// against its digest) and the list of layers with the digests each must match when read.
// Image references: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/blob_store.h"
#include "image/oci_json.h"

namespace cw::oci {

struct ImageLayer {
    std::string path;                        // inside the store
    std::optional<Descriptor> blob;          // the compressed blob's digest and size (OCI only)
    std::optional<Compression> compression;  // required compression; nullopt: any of ours
    Digest diff_id;                          // digest of the uncompressed tar (the config's)
};

struct Image {
    std::unique_ptr<BlobStore> store;
    std::optional<Digest> manifest;  // the verified manifest's digest (oci: and oci-archive:, not docker-archive:)
    ImageConfig config;
    std::vector<ImageLayer> layers;
};

// `max_bytes` bounds what an archive may stage (see open_archive_store). `platform` picks
// the image of a multi-platform index (oci: and oci-archive:; nested indexes are followed).
[[nodiscard]] Result<Image> open_image(std::string_view reference, uint64_t max_bytes,
                                       const Platform& platform = Platform{});

}  // namespace cw::oci
