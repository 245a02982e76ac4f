// Reads one layer as a stream of checked tar entries while hashing it twice: the bytes
// as stored (the blob digest in the manifest) and the decompressed tar (the config's
// diff_id). finish() drains both streams to their ends and compares; a layer's entries
// are not to be trusted until it succeeds. Two libarchive readers are chained: a "raw"
// reader that only decompresses (gzip or zstd, nothing else: no external programs), and a
// tar reader fed from it, so the decompressed bytes pass through our hands to be hashed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <span>

#include "base/result.h"
#include "image/digest.h"
#include "image/oci_json.h"
#include "layers/byte_source.h"
#include "layers/limits.h"
#include "layers/tar_entry.h"

struct archive;
struct archive_entry;

namespace cw::oci {

struct LayerExpectation {
    std::optional<Descriptor> blob;          // compressed digest and size
    std::optional<Compression> compression;  // nullopt: gzip, zstd or none
    std::optional<Digest> diff_id;
};

class LayerStream {
public:
    // `budget` is the uncompressed bytes this stream may still produce; shared between
    // the layers of one image.
    [[nodiscard]] static Result<std::unique_ptr<LayerStream>> open(std::unique_ptr<ByteSource> source,
                                                                   LayerExpectation expect, const Limits& limits,
                                                                   uint64_t& budget);
    ~LayerStream();
    LayerStream(const LayerStream&) = delete;
    LayerStream& operator=(const LayerStream&) = delete;

    // The next header, checked and converted; nullopt at the end of the tar.
    [[nodiscard]] Result<std::optional<TarEntry>> next();
    // Content of the current entry; 0 at its end.
    [[nodiscard]] Result<size_t> read_data(std::span<uint8_t> buf);
    // Reads the rest of the current entry, checking it has exactly the header's size.
    [[nodiscard]] Result<void> skip_data(const TarEntry& entry, uint64_t already_read = 0);
    // Drains the stream and verifies the digests and size against the expectation.
    [[nodiscard]] Result<void> finish();
    // For a fresh stream whose tar could not be read: reads it without parsing and reports
    // a digest mismatch if there is one (the better diagnosis for a corrupted blob).
    [[nodiscard]] Result<void> verify_only();

private:
    LayerStream(std::unique_ptr<ByteSource> source, LayerExpectation expect, const Limits& limits, uint64_t& budget);
    static ssize_t outer_read(archive*, void* self, const void** buf);
    static ssize_t inner_read(archive*, void* self, const void** buf);
    Result<size_t> pull_decompressed(std::span<uint8_t> buf);
    Result<TarEntry> convert(::archive_entry* e);
    [[nodiscard]] Error archive_failure(archive* a, const char* step);

    std::unique_ptr<ByteSource> m_source;
    LayerExpectation m_expect;
    const Limits& m_limits;
    uint64_t& m_budget;
    archive* m_outer = nullptr;
    archive* m_inner = nullptr;
    Sha256 m_compressed_hash;
    Sha256 m_tar_hash;
    uint64_t m_compressed_bytes = 0;
    uint64_t m_entry_index = 0;
    bool m_outer_eof = false;
    std::optional<Error> m_callback_error;  // set by a callback that returned -1
    std::unique_ptr<uint8_t[]> m_in_buf;
    std::unique_ptr<uint8_t[]> m_mid_buf;
};

}  // namespace cw::oci
