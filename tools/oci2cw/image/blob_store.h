// Where an image's files come from: an OCI layout directory on the host, or the members
// of an oci-archive / docker-archive tar. Callers open files by their path inside the
// image (e.g. "blobs/sha256/<hex>", "<id>/layer.tar") and hash what they read: a store
// hands out bytes, it never vouches for them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::oci {

class BlobStore {
public:
    virtual ~BlobStore() = default;
    [[nodiscard]] virtual Result<UniqueFd> open(const std::string& path) const = 0;
};

// An OCI layout directory; paths are opened beneath it.
[[nodiscard]] Result<std::unique_ptr<BlobStore>> open_directory_store(const std::string& dir);

// A tar archive (oci-archive or docker-archive). Layers are read twice (metadata, then
// contents) and archives are not seekable by member, so every regular member is copied
// once into a private temporary directory under $TMPDIR (removed when the store is
// destroyed); nothing of the image's *contents* is unpacked onto the host, only its blobs.
// `max_bytes` bounds the total copied.
[[nodiscard]] Result<std::unique_ptr<BlobStore>> open_archive_store(const std::string& file, uint64_t max_bytes);

// Normalizes a member path the way tar does: strips leading "/" and "./", collapses
// "//" and "."; nullopt-like error when ".." would leave the archive root.
[[nodiscard]] Result<std::string> normalize_member_path(const std::string& path);

}  // namespace cw::oci
