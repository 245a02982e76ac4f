#include "layers/flatten.h"

#include <sys/stat.h>

namespace cw::oci {

Result<std::vector<TarEntry>> read_layer(LayerStream& stream, const Limits& limits, uint64_t& entries_left) {
    std::vector<TarEntry> entries;
    for (;;) {
        auto entry = CW_TRY(stream.next());
        if (!entry)
            break;
        if (entries_left == 0)
            return Error::msg("more than " + std::to_string(limits.max_entries) + " entries in the image");
        --entries_left;
        CW_TRY(stream.skip_data(*entry));
        entries.push_back(std::move(*entry));
    }
    CW_TRY(stream.finish());
    return entries;
}

std::string layer_name(const Image& image, size_t i) {
    const ImageLayer& l = image.layers[i];
    const Digest& d = l.blob ? l.blob->digest : l.diff_id;
    return "layer " + std::to_string(i) + " (sha256:" + d.short_hex() + ")";
}

Result<std::unique_ptr<LayerStream>> open_layer(const Image& image, size_t i, const Limits& limits, uint64_t& budget,
                                                const ReadObserver& observer) {
    const ImageLayer& l = image.layers[i];
    UniqueFd fd = CW_TRY(image.store->open(l.path));
    std::unique_ptr<ByteSource> source = std::make_unique<FdSource>(std::move(fd));
    if (observer)
        source = std::make_unique<CountingSource>(std::move(source), [observer, i](size_t n) { observer(i, n); });
    return LayerStream::open(std::move(source), {l.blob, l.compression, l.diff_id}, limits, budget);
}

Result<uint64_t> stored_layer_bytes(const Image& image) {
    uint64_t total = 0;
    for (const ImageLayer& l : image.layers) {
        if (l.blob) {
            total += l.blob->size;
            continue;
        }
        UniqueFd fd = CW_TRY(image.store->open(l.path));
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0)
            return Error::sys("stat " + l.path);
        total += static_cast<uint64_t>(st.st_size);
    }
    return total;
}

Result<Tree> flatten(const Image& image, const Limits& limits, const ReadObserver& observer) {
    Tree tree;
    uint64_t budget = limits.max_total_bytes;
    uint64_t entries_left = limits.max_entries;
    for (size_t i = 0; i < image.layers.size(); ++i) {
        std::string name = layer_name(image, i);
        auto stream = CW_TRY(open_layer(image, i, limits, budget, observer).context(name));
        auto entries = read_layer(*stream, limits, entries_left);
        if (!entries.ok()) {
            // A corrupted blob shows up first as tar garbage: name the digest if that is the cause.
            uint64_t verify_budget = limits.max_total_bytes;
            auto fresh = CW_TRY(open_layer(image, i, limits, verify_budget).context(name));
            CW_TRY(fresh->verify_only().context(name));
            return std::move(entries).error().context(name);
        }
        CW_TRY(apply_layer(tree, entries.value(), static_cast<uint32_t>(i)).context(name));
    }
    return tree;
}

}  // namespace cw::oci
