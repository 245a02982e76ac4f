// Strict parsers for the JSON documents of an image: the OCI layout's oci-layout and
// index.json, image manifests, image configs, and docker-archive's manifest.json.
// Every document is untrusted bytes (fuzzed by tests/fuzz/oci_manifest_fuzzer.cpp):
// sizes are bounded, media types checked, digests validated; unknown fields are ignored
// as the OCI spec requires.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "image/digest.h"

namespace cw::oci {

// Bound on any JSON document we read (index, manifest, config): real ones are KiBs.
constexpr uint64_t kMaxJsonBytes = 4 << 20;
// Bound on layers per image: Docker's own limit is 127 (overlayfs lower dirs).
constexpr size_t kMaxLayers = 128;

namespace media_type {
constexpr std::string_view kIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kConfig = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
}  // namespace media_type

enum class Compression { none, gzip, zstd };

struct Descriptor {
    std::string media_type;
    Digest digest;
    uint64_t size = 0;
};

struct LayerDescriptor {
    Descriptor blob;
    Compression compression = Compression::none;
};

struct Manifest {
    Descriptor config;
    std::vector<LayerDescriptor> layers;
};

// The parts of the image config the workload needs, plus the layers' uncompressed digests.
struct ImageConfig {
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    std::string working_dir;
    std::string user;
    std::map<std::string, std::string> labels;  // config.Labels; entries whose value is not a string are dropped
    std::vector<Digest> diff_ids;
};

// docker save / podman save: manifest.json's single entry (paths inside the archive).
struct DockerManifest {
    std::string config_path;
    std::vector<std::string> layer_paths;
};

// Which image of a multi-platform index to take (the index descriptors' "platform").
struct Platform {
    std::string os = "linux";
    std::string architecture = "amd64";
    std::string variant;  // empty: any
};
// Bound on indexes nested in indexes (index.json -> image index -> manifest is one level).
constexpr int kMaxIndexDepth = 4;

// "OS/ARCH[/VARIANT]", each part 1-32 of [a-z0-9_.-].
[[nodiscard]] Result<Platform> parse_platform(std::string_view text);
[[nodiscard]] std::string platform_string(const Platform& p);
[[nodiscard]] bool is_index_media_type(std::string_view media_type);

// oci-layout must declare imageLayoutVersion "1.0.0".
[[nodiscard]] Result<void> parse_oci_layout(std::string_view json);
// Picks from an image index (index.json, or a nested index / Docker manifest list, named
// `name` in errors): the entries tagged `tag` (org.opencontainers.image.ref.name) if given,
// then among them the only one, or the one whose platform matches `platform`. An entry with a
// platform that does not match is never taken, even alone. The result may itself be an index
// (is_index_media_type): the caller reads it and picks again, at most kMaxIndexDepth times.
[[nodiscard]] Result<Descriptor> parse_index(std::string_view json, const std::optional<std::string>& tag,
                                             const Platform& platform = Platform{},
                                             std::string_view name = "index.json");
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view json);
[[nodiscard]] Result<ImageConfig> parse_config(std::string_view json);
[[nodiscard]] Result<DockerManifest> parse_docker_manifest(std::string_view json);

}  // namespace cw::oci
