// One tar header of a layer, already checked (type supported, sizes bounded) and
// independent of libarchive, so the flattening rules can be tested without tar bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cw::oci {

enum class EntryType { regular, directory, symlink, hardlink, char_device, block_device, fifo };

struct TarEntry {
    std::string path;  // as written in the archive; normalized by the applier
    EntryType type = EntryType::regular;
    uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
    uint32_t uid = 0;
    uint32_t gid = 0;
    int64_t mtime = 0;
    uint64_t size = 0;         // regular files: content bytes
    std::string link;          // symlink target, or hardlink target path
    uint32_t dev_major = 0;
    uint32_t dev_minor = 0;
    std::map<std::string, std::string> xattrs;
    uint64_t index = 0;  // position among the layer's headers: where its data is for pass 2
};

}  // namespace cw::oci
