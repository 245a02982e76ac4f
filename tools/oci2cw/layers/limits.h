// Bounds on what one image may ask of us: every one is checked while reading, so a hostile
// image fails with a message instead of exhausting memory or disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cw::oci {

struct Limits {
    uint64_t max_entries = 1 << 20;             // tar entries over all layers
    size_t max_path = 4096;                     // PATH_MAX
    size_t max_xattr_name = 255;                // XATTR_NAME_MAX
    size_t max_xattr_value = 64 * 1024;         // XATTR_SIZE_MAX
    size_t max_xattrs_per_entry = 64;
    uint64_t max_total_bytes = uint64_t{64} << 30;  // uncompressed, over all layers (--max-size)
};

}  // namespace cw::oci
