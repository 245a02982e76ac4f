#include "image/image.h"

#include <unistd.h>

#include <vector>

namespace cw::oci {

namespace {

// Reads a whole file of at most `max` bytes (the JSON documents).
Result<std::string> read_small(const BlobStore& store, const std::string& path, uint64_t max) {
    UniqueFd fd = CW_TRY(store.open(path));
    std::string out;
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0)
            return Error::sys("read " + path);
        if (n == 0)
            return out;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > max)
            return Error::msg(path + ": larger than " + std::to_string(max) + " bytes");
    }
}

// A JSON blob checked against its descriptor before anyone parses it.
Result<std::string> read_verified(const BlobStore& store, const Descriptor& d) {
    std::string path = "blobs/sha256/" + d.digest.hex;
    std::string bytes = CW_TRY(read_small(store, path, kMaxJsonBytes));
    if (bytes.size() != d.size)
        return Error::msg("blob " + d.digest.short_hex() + ": size " + std::to_string(bytes.size()) +
                          " does not match the descriptor's " + std::to_string(d.size));
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    if (h.finish() != d.digest)
        return Error::msg("blob " + d.digest.short_hex() + ": digest mismatch");
    return bytes;
}

Result<Image> open_layout(std::unique_ptr<BlobStore> store, const std::optional<std::string>& tag,
                          const Platform& platform) {
    std::string layout = CW_TRY(read_small(*store, "oci-layout", kMaxJsonBytes));
    CW_TRY(parse_oci_layout(layout));
    std::string index = CW_TRY(read_small(*store, "index.json", kMaxJsonBytes));
    Descriptor manifest_desc = CW_TRY(parse_index(index, tag, platform));
    // A multi-platform image: index.json may point at an image index (as `skopeo copy --all`
    // writes), itself verified against its digest before it is parsed.
    for (int depth = 1; is_index_media_type(manifest_desc.media_type); ++depth) {
        if (depth > kMaxIndexDepth)
            return Error::msg("image indexes nested more than " + std::to_string(kMaxIndexDepth) + " deep");
        std::string name = "index " + manifest_desc.digest.short_hex();
        std::string nested = CW_TRY(read_verified(*store, manifest_desc));
        manifest_desc = CW_TRY(parse_index(nested, std::nullopt, platform, name));
    }
    std::string manifest_bytes = CW_TRY(read_verified(*store, manifest_desc));
    Manifest manifest = CW_TRY(parse_manifest(manifest_bytes));
    Image image;
    image.manifest = manifest_desc.digest;
    std::string config_bytes = CW_TRY(read_verified(*store, manifest.config));
    image.config = CW_TRY(parse_config(config_bytes));
    if (image.config.diff_ids.size() != manifest.layers.size())
        return Error::msg("image config has " + std::to_string(image.config.diff_ids.size()) +
                          " diff_ids for " + std::to_string(manifest.layers.size()) + " layers");
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
        const auto& l = manifest.layers[i];
        image.layers.push_back({"blobs/sha256/" + l.blob.digest.hex, l.blob, l.compression, image.config.diff_ids[i]});
    }
    image.store = std::move(store);
    return image;
}

// docker-archive names the config by its digest: "<hex>.json" (docker < 25) or
// "blobs/sha256/<hex>" (docker >= 25, which writes an OCI layout alongside).
Result<Digest> config_digest_from_path(const std::string& path) {
    std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    if (name.size() > 5 && name.ends_with(".json"))
        name.resize(name.size() - 5);
    if (!is_sha256_hex(name))
        return Error::msg("manifest.json: Config path \"" + path + "\" does not name a sha256 digest");
    return Digest{name};
}

Result<Image> open_docker_archive(std::unique_ptr<BlobStore> store) {
    std::string manifest_bytes = CW_TRY(read_small(*store, "manifest.json", kMaxJsonBytes));
    DockerManifest dm = CW_TRY(parse_docker_manifest(manifest_bytes));
    Digest config_digest = CW_TRY(config_digest_from_path(dm.config_path));
    std::string config_bytes = CW_TRY(read_small(*store, dm.config_path, kMaxJsonBytes));
    Sha256 h;
    h.update(config_bytes.data(), config_bytes.size());
    if (h.finish() != config_digest)
        return Error::msg("config " + config_digest.short_hex() + ": digest mismatch");
    Image image;
    image.config = CW_TRY(parse_config(config_bytes));
    if (image.config.diff_ids.size() != dm.layer_paths.size())
        return Error::msg("image config has " + std::to_string(image.config.diff_ids.size()) +
                          " diff_ids for " + std::to_string(dm.layer_paths.size()) + " layers");
    // Layers here have no compressed descriptor: the diff_id is what they are verified against.
    for (size_t i = 0; i < dm.layer_paths.size(); ++i)
        image.layers.push_back({dm.layer_paths[i], std::nullopt, std::nullopt, image.config.diff_ids[i]});
    image.store = std::move(store);
    return image;
}

// Splits "PATH[:TAG]"; a tag never contains '/', so "a:b/c" is a path.
std::pair<std::string, std::optional<std::string>> split_tag(std::string_view rest) {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || rest.substr(colon).find('/') != std::string_view::npos)
        return {std::string(rest), std::nullopt};
    return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

}  // namespace

Result<Image> open_image(std::string_view reference, uint64_t max_bytes, const Platform& platform) {
    if (reference.starts_with("oci:")) {
        auto [dir, tag] = split_tag(reference.substr(4));
        return open_layout(CW_TRY(open_directory_store(dir)), tag, platform).context(dir);
    }
    if (reference.starts_with("oci-archive:")) {
        auto [file, tag] = split_tag(reference.substr(12));
        return open_layout(CW_TRY(open_archive_store(file, max_bytes)), tag, platform).context(file);
    }
    if (reference.starts_with("docker-archive:")) {
        std::string file(reference.substr(15));
        return open_docker_archive(CW_TRY(open_archive_store(file, max_bytes))).context(file);
    }
    return Error::msg("image reference \"" + std::string(reference) +
                      "\" is not oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE or containers-storage:NAME");
}

}  // namespace cw::oci
