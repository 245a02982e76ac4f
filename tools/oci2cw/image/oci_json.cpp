#include "image/oci_json.h"

#include <algorithm>
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

// config.Labels: the spec says string values; some builders wrote others, which are dropped
// rather than failing the image (nothing of oci2cw's conversion reads labels).
Result<std::map<std::string, std::string>> get_labels(const json& obj) {
    std::map<std::string, std::string> out;
    auto it = obj.find("Labels");
    if (it == obj.end() || it->is_null())
        return out;
    if (!it->is_object())
        return Error::msg("\"Labels\" is not an object");
    for (const auto& [key, value] : it->items()) {
        if (value.is_string())
            out.emplace(key, value.get<std::string>());
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

Result<Platform> parse_platform(std::string_view text) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= text.size() && parts.size() <= 3) {
        size_t next = text.find('/', pos);
        if (next == std::string_view::npos)
            next = text.size();
        parts.emplace_back(text.substr(pos, next - pos));
        pos = next + 1;
    }
    auto valid = [](const std::string& part) {
        if (part.empty() || part.size() > 32)
            return false;
        return std::all_of(part.begin(), part.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        });
    };
    if (parts.size() < 2 || parts.size() > 3 || !std::all_of(parts.begin(), parts.end(), valid))
        return Error::msg("platform \"" + std::string(text) + "\" is not OS/ARCH[/VARIANT] (e.g. linux/amd64)");
    return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string()};
}

std::string platform_string(const Platform& p) {
    return p.os + "/" + p.architecture + (p.variant.empty() ? "" : "/" + p.variant);
}

bool is_index_media_type(std::string_view media_type) {
    return media_type == media_type::kIndex || media_type == media_type::kDockerManifestList;
}

namespace {

struct IndexEntry {
    Descriptor descriptor;
    std::string ref;
    std::optional<Platform> platform;  // as the index states it; not validated beyond types
};

Result<std::optional<Platform>> entry_platform(const json& m) {
    auto it = m.find("platform");
    if (it == m.end() || it->is_null())
        return std::optional<Platform>();
    if (!it->is_object())
        return Error::msg("\"platform\" is not an object");
    Platform p;
    p.os = CW_TRY(get_string(*it, "os").context("platform"));
    p.architecture = CW_TRY(get_string(*it, "architecture").context("platform"));
    p.variant = CW_TRY(get_optional_string(*it, "variant").context("platform"));
    return std::optional<Platform>(std::move(p));
}

bool matches(const Platform& have, const Platform& want) {
    return have.os == want.os && have.architecture == want.architecture &&
           (want.variant.empty() || have.variant == want.variant);
}

// "linux/arm64, linux/arm/v7" (for the refusal), or "no platforms".
std::string platforms_of(const std::vector<const IndexEntry*>& entries) {
    std::string out;
    for (const IndexEntry* e : entries) {
        if (!e->platform)
            continue;
        std::string p = platform_string(*e->platform);
        if (p.size() > 100)
            p = p.substr(0, 100) + "...";
        for (char& c : p)  // the index's own strings: keep the error one printable line
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = '?';
        out += (out.empty() ? "" : ", ") + p;
        if (out.size() > 400)
            return out + ", ...";
    }
    return out.empty() ? "no platforms" : out;
}

}  // namespace

Result<Descriptor> parse_index(std::string_view text, const std::optional<std::string>& tag, const Platform& platform,
                               std::string_view name_view) {
    const std::string name(name_view);
    json doc = CW_TRY(parse_object(text).context(name));
    auto schema = doc.find("schemaVersion");
    if (schema == doc.end() || !schema->is_number_unsigned() || schema->get<uint64_t>() != 2)
        return Error::msg(name + ": schemaVersion is not 2");
    auto media = CW_TRY(get_optional_string(doc, "mediaType").context(name));
    if (!media.empty() && !is_index_media_type(media))
        return Error::msg(name + ": unexpected mediaType \"" + media + "\"");
    auto manifests = doc.find("manifests");
    if (manifests == doc.end() || !manifests->is_array())
        return Error::msg(name + ": missing \"manifests\" array");

    std::vector<IndexEntry> entries;
    for (const json& m : *manifests) {
        IndexEntry e;
        e.descriptor = CW_TRY(parse_descriptor(m).context(name + ": manifests"));
        if (auto ann = m.find("annotations"); ann != m.end() && ann->is_object())
            if (auto r = ann->find(kRefNameAnnotation); r != ann->end() && r->is_string())
                e.ref = r->get<std::string>();
        e.platform = CW_TRY(entry_platform(m).context(name + ": manifests"));
        entries.push_back(std::move(e));
    }

    std::vector<const IndexEntry*> candidates;
    for (const IndexEntry& e : entries)
        if (!tag || e.ref == *tag)
            candidates.push_back(&e);
    if (tag && candidates.empty())
        return Error::msg(name + ": no manifest tagged \"" + *tag + "\"");
    if (candidates.empty())
        return Error::msg(name + ": no manifests");

    std::vector<const IndexEntry*> matching;
    for (const IndexEntry* e : candidates)
        if (e->platform && matches(*e->platform, platform))
            matching.push_back(e);
    const IndexEntry* chosen = nullptr;
    if (candidates.size() == 1 && !candidates.front()->platform) {
        chosen = candidates.front();  // one entry that says nothing about its platform
    } else if (matching.size() == 1) {
        chosen = matching.front();
    } else if (matching.size() > 1) {
        return Error::msg(name + ": " + std::to_string(matching.size()) + " manifests for " +
                          platform_string(platform) +
                          (tag ? std::string() : std::string(" (give a tag") + ", or --platform with a variant)"));
    } else if (std::none_of(candidates.begin(), candidates.end(), [](const IndexEntry* e) { return e->platform; })) {
        return Error::msg(name + ": " + std::to_string(candidates.size()) +
                          (tag ? " manifests tagged \"" + *tag + "\"" : " manifests and no tag given (use oci:DIR:TAG)"));
    } else {
        return Error::msg(name + ": no manifest for " + platform_string(platform) + " (it has " +
                          platforms_of(candidates) + "; choose with --platform OS/ARCH[/VARIANT])");
    }
    const Descriptor& d = chosen->descriptor;
    if (!is_index_media_type(d.media_type) && d.media_type != media_type::kManifest &&
        d.media_type != media_type::kDockerManifest)
        return Error::msg(name + ": unsupported manifest mediaType \"" + d.media_type + "\"");
    if (d.size > kMaxJsonBytes)
        return Error::msg(name + ": manifest larger than 4 MiB");
    return d;
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
        c.labels = CW_TRY(get_labels(*cfg).context("image config"));
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
