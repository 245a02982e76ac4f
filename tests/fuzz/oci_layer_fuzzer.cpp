// oci2cw's layer reader and applier on an arbitrary (possibly gzip/zstd-compressed) tar
// stream: headers are checked and applied on top of a small lower layer, as pass 1 does.
#include <cstddef>
#include <cstdint>
#include <span>

#include "layers/flatten.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace cw::oci;
    Limits limits;
    limits.max_entries = 4096;
    limits.max_total_bytes = 64 << 20;
    uint64_t budget = limits.max_total_bytes;
    uint64_t entries_left = limits.max_entries;
    auto stream = LayerStream::open(std::make_unique<MemorySource>(std::span(data, size)), {}, limits, budget);
    if (!stream.ok())
        return 0;
    auto entries = read_layer(**stream, limits, entries_left);
    if (!entries.ok())
        return 0;
    Tree tree;
    TarEntry dir;
    dir.path = "etc";
    dir.type = EntryType::directory;
    TarEntry link;
    link.path = "lnk";
    link.type = EntryType::symlink;
    link.link = "/etc";
    (void)apply_layer(tree, {dir, link}, 0);
    (void)apply_layer(tree, entries.value(), 1);
    return 0;
}
