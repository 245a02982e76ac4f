#include "image/oci_json.h"

#include <nlohmann/json.hpp>

namespace cw::oci {

namespace {

using nlohmann::json;

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
// A descriptor's size field is a JSON number; anything beyond 2^53 is not an exact number.
constexpr uint64_t kMaxBlobSize = uint64_t{1} << 53;

Result<json> parse_object(std::string_view text) {
    if (text.size() > kMaxJsonBytes)
        return Error::msg("document larger than 4 MiB");
    // No exceptions escape: parse errors become a discarded value.
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded())
        return Error::msg("not valid JSON");
    if (!doc.is_object())
        return Error::msg("not a JSON object");
    return doc;
}

Result<std::string> get_string(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string())
        return Error::msg(std::string("missing string \"") + key + "\"");
    return it->get<std::string>();
}

// An optional string field: absent or null is empty; any other type is an error.
Result<std::string> get_optional_string(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return std::string();
    if (!it->is_string())
        return Error::msg(std::string("\"") + key + "\" is not a string");
    return it->get<std::string>();
}

Result<std::vector<std::string>> get_string_array(const json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return out;
    if (!it->is_array())
        return Error::msg(std::string("\"") + key + "\" is not an array");
    for (const json& v : *it) {
        if (!v.is_string())
            return Error::msg(std::string("\"") + key + "\" has a non-string element");
        out.push_back(v.get<std::string>());
    }
    return out;
}

Result<Descriptor> parse_descriptor(const json& obj) {
    if (!obj.is_object())
        return Error::msg("descriptor is not an object");
    Descriptor d;
    d.media_type = CW_TRY(get_string(obj, "mediaType"));
    std::string digest = CW_TRY(get_string(obj, "digest"));
    d.digest = CW_TRY(parse_digest(digest));
    auto size = obj.find("size");
    if (size == obj.end() || !size->is_number_unsigned())
        return Error::msg("descriptor size is not a non-negative integer");
    d.size = size->get<uint64_t>();
    if (d.size > kMaxBlobSize)
        return Error::msg("descriptor size out of range");
    return d;
}

Result<Compression> layer_compression(std::string_view media_type) {
    if (media_type == "application/vnd.oci.image.layer.v1.tar")
        return Compression::none;
    if (media_type == "application/vnd.oci.image.layer.v1.tar+gzip" ||
        media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip")
        return Compression::gzip;
    if (media_type == "application/vnd.oci.image.layer.v1.tar+zstd")
        return Compression::zstd;
    return Error::msg("unsupported layer media type \"" + std::string(media_type) + "\"");
}

}  // namespace

Result<void> parse_oci_layout(std::string_view text) {
    json doc = CW_TRY(parse_object(text).context("oci-layout"));
    auto version = CW_TRY(get_string(doc, "imageLayoutVersion").context("oci-layout"));
    if (version != "1.0.0")
        return Error::msg("oci-layout: unsupported imageLayoutVersion \"" + version + "\"");
    return {};
}

Result<Descriptor> parse_index(std::string_view text, const std::optional<std::string>& tag) {
    json doc = CW_TRY(parse_object(text).context("index.json"));
    auto schema = doc.find("schemaVersion");
    if (schema == doc.end() || !schema->is_number_unsigned() || schema->get<uint64_t>() != 2)
        return Error::msg("index.json: schemaVersion is not 2");
    auto media = CW_TRY(get_optional_string(doc, "mediaType").context("index.json"));
    if (!media.empty() && media != media_type::kIndex)
        return Error::msg("index.json: unexpected mediaType \"" + media + "\"");
    auto manifests = doc.find("manifests");
    if (manifests == doc.end() || !manifests->is_array())
        return Error::msg("index.json: missing \"manifests\" array");

    std::vector<std::pair<Descriptor, std::string>> candidates;  // descriptor, ref name
    for (const json& m : *manifests) {
        Descriptor d = CW_TRY(parse_descriptor(m).context("index.json: manifests"));
        std::string ref;
        if (auto ann = m.find("annotations"); ann != m.end() && ann->is_object())
            if (auto r = ann->find(kRefNameAnnotation); r != ann->end() && r->is_string())
                ref = r->get<std::string>();
        candidates.emplace_back(std::move(d), std::move(ref));
    }

    const Descriptor* chosen = nullptr;
    if (tag) {
        for (const auto& [d, ref] : candidates) {
            if (ref != *tag)
                continue;
            if (chosen)
                return Error::msg("index.json: tag \"" + *tag + "\" names more than one manifest");
            chosen = &d;
        }
        if (!chosen)
            return Error::msg("index.json: no manifest tagged \"" + *tag + "\"");
    } else {
        if (candidates.size() != 1)
            return Error::msg("index.json: " + std::to_string(candidates.size()) +
                              " manifests and no tag given (use oci:DIR:TAG)");
        chosen = &candidates.front().first;
    }
    if (chosen->media_type == media_type::kIndex)
        return Error::msg("index.json: the manifest is a nested index (multi-platform images are not supported yet)");
    if (chosen->media_type != media_type::kManifest && chosen->media_type != media_type::kDockerManifest)
        return Error::msg("index.json: unsupported manifest mediaType \"" + chosen->media_type + "\"");
    if (chosen->size > kMaxJsonBytes)
        return Error::msg("index.json: manifest larger than 4 MiB");
    return *chosen;
}

Result<Manifest> parse_manifest(std::string_view text) {
    json doc = CW_TRY(parse_object(text).context("manifest"));
    auto schema = doc.find("schemaVersion");
    if (schema == doc.end() || !schema->is_number_unsigned() || schema->get<uint64_t>() != 2)
        return Error::msg("manifest: schemaVersion is not 2");
    auto media = CW_TRY(get_optional_string(doc, "mediaType").context("manifest"));
    if (!media.empty() && media != media_type::kManifest && media != media_type::kDockerManifest)
        return Error::msg("manifest: unexpected mediaType \"" + media + "\"");

    Manifest m;
    auto config = doc.find("config");
    if (config == doc.end())
        return Error::msg("manifest: missing \"config\"");
    m.config = CW_TRY(parse_descriptor(*config).context("manifest: config"));
    if (m.config.media_type != media_type::kConfig && m.config.media_type != media_type::kDockerConfig)
        return Error::msg("manifest: unsupported config mediaType \"" + m.config.media_type + "\"");
    if (m.config.size > kMaxJsonBytes)
        return Error::msg("manifest: config larger than 4 MiB");

    auto layers = doc.find("layers");
    if (layers == doc.end() || !layers->is_array())
        return Error::msg("manifest: missing \"layers\" array");
    if (layers->size() > kMaxLayers)
        return Error::msg("manifest: more than 128 layers");
    for (const json& l : *layers) {
        LayerDescriptor ld;
        ld.blob = CW_TRY(parse_descriptor(l).context("manifest: layers"));
        ld.compression = CW_TRY(layer_compression(ld.blob.media_type).context("manifest: layers"));
        m.layers.push_back(std::move(ld));
    }
    return m;
}

Result<ImageConfig> parse_config(std::string_view text) {
    json doc = CW_TRY(parse_object(text).context("image config"));
    ImageConfig c;
    if (auto cfg = doc.find("config"); cfg != doc.end() && !cfg->is_null()) {
        if (!cfg->is_object())
            return Error::msg("image config: \"config\" is not an object");
        c.entrypoint = CW_TRY(get_string_array(*cfg, "Entrypoint").context("image config"));
        c.cmd = CW_TRY(get_string_array(*cfg, "Cmd").context("image config"));
        c.env = CW_TRY(get_string_array(*cfg, "Env").context("image config"));
        c.working_dir = CW_TRY(get_optional_string(*cfg, "WorkingDir").context("image config"));
        c.user = CW_TRY(get_optional_string(*cfg, "User").context("image config"));
    }
    auto rootfs = doc.find("rootfs");
    if (rootfs == doc.end() || !rootfs->is_object())
        return Error::msg("image config: missing \"rootfs\"");
    if (CW_TRY(get_string(*rootfs, "type").context("image config: rootfs")) != "layers")
        return Error::msg("image config: rootfs type is not \"layers\"");
    auto diff_ids = CW_TRY(get_string_array(*rootfs, "diff_ids").context("image config: rootfs"));
    if (diff_ids.size() > kMaxLayers)
        return Error::msg("image config: more than 128 diff_ids");
    for (const auto& id : diff_ids)
        c.diff_ids.push_back(CW_TRY(parse_digest(id).context("image config: diff_ids")));
    return c;
}

Result<DockerManifest> parse_docker_manifest(std::string_view text) {
    if (text.size() > kMaxJsonBytes)
        return Error::msg("manifest.json: larger than 4 MiB");
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_array())
        return Error::msg("manifest.json: not a JSON array");
    if (doc.size() != 1)
        return Error::msg("manifest.json: " + std::to_string(doc.size()) +
                          " images in the archive (exactly one is supported)");
    const json& entry = doc.front();
    if (!entry.is_object())
        return Error::msg("manifest.json: entry is not an object");
    DockerManifest m;
    m.config_path = CW_TRY(get_string(entry, "Config").context("manifest.json"));
    auto layers = entry.find("Layers");
    if (layers == entry.end() || !layers->is_array())
        return Error::msg("manifest.json: missing \"Layers\" array");
    m.layer_paths = CW_TRY(get_string_array(entry, "Layers").context("manifest.json"));
    if (m.layer_paths.size() > kMaxLayers)
        return Error::msg("manifest.json: more than 128 layers");
    return m;
}

}  // namespace cw::oci
