// Writes a single-layer OCI image as an oci-archive (a tar of an OCI image layout), byte for
// byte deterministic: the same files give the same archive. Every tar entry (of the layer
// and of the archive) has mtime 0, uid/gid 0, no user or group names, and entries come in
// byte order of their paths; gzip headers carry no timestamp; JSON is compact with sorted
// keys. The layer is built once, streaming: its uncompressed tar is hashed (the diff_id) on
// its way into the compressor, whose output is hashed (the blob digest) on its way to a
// temporary file beside the archive; the archive is written under FILE.partial and renamed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "image/digest.h"

namespace cw::oci {

// A regular file of the layer: from a file on the host, or bytes in memory.
struct LayerFile {
    std::string name;  // path inside the image, without a leading "/"
    std::string host_path;  // read from here when non-empty
    std::span<const uint8_t> bytes;  // otherwise these
    uint32_t mode = 0644;
};

struct ImageSpec {
    std::vector<LayerFile> files;
    bool gzip = false;
    std::vector<std::string> entrypoint;
    std::map<std::string, std::string> labels;  // config Labels, and the manifest's annotations
    std::string ref_name;  // org.opencontainers.image.ref.name in index.json
};

struct WrittenImage {
    Digest manifest;
    Digest config;
    Digest layer;    // the blob as stored (compressed when gzip)
    Digest diff_id;  // the uncompressed layer tar
    uint64_t layer_size = 0;
    uint64_t archive_size = 0;
    std::string archive_sha256;
};

// Called with the work done so far out of `total` (the layer's files count twice: once into
// the layer, once copied into the archive), for a progress line.
using WriteProgress = std::function<void(uint64_t done, uint64_t total)>;

[[nodiscard]] Result<WrittenImage> write_oci_archive(const ImageSpec& spec, const std::string& path,
                                                     const WriteProgress& progress = {});

}  // namespace cw::oci
