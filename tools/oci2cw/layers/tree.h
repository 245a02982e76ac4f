// The flattened root filesystem as metadata only: what each path is, and for regular
// files where their bytes are (layer + header position), so the content can be streamed
// from the layer straight into the output later without ever touching the host's disk.
// Hard links are directory entries sharing one Node.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "layers/tar_entry.h"

namespace cw::oci {

struct ContentRef {
    uint32_t layer = 0;
    uint64_t index = 0;  // TarEntry::index within that layer
    // Spelled out: clang's defaulted operator<=> trips -Wzero-as-null-pointer-constant.
    friend bool operator<(const ContentRef& a, const ContentRef& b) {
        return a.layer != b.layer ? a.layer < b.layer : a.index < b.index;
    }
    friend bool operator==(const ContentRef&, const ContentRef&) = default;
};

struct Node {
    EntryType type = EntryType::directory;  // never EntryType::hardlink
    uint32_t mode = 0755;
    uint32_t uid = 0;
    uint32_t gid = 0;
    int64_t mtime = 0;
    uint64_t size = 0;
    std::string link;  // symlink target
    uint32_t dev_major = 0;
    uint32_t dev_minor = 0;
    std::map<std::string, std::string> xattrs;
    ContentRef content;                                      // regular files
    std::map<std::string, std::shared_ptr<Node>> children;  // directories, sorted by name bytes
};

struct Tree {
    std::shared_ptr<Node> root = std::make_shared<Node>();
};

// A tar path as components: a leading "/" is stripped as tar does, "." and empty
// components are dropped, any ".." is refused; the root is the empty list.
[[nodiscard]] Result<std::vector<std::string>> split_path(const std::string& path);

// Applies one layer's entries (already read and verified) with OCI semantics: whiteouts
// and opaque markers first (they only hide lower layers), then the entries in order.
// Errors name the entry; the caller adds the layer.
[[nodiscard]] Result<void> apply_layer(Tree& tree, const std::vector<TarEntry>& entries, uint32_t layer);

}  // namespace cw::oci
