#include "image/oci_json.h"

#include <doctest/doctest.h>

using namespace cw::oci;

namespace {
const std::string kHex = std::string(64, 'a');
const std::string kDigest = "sha256:" + kHex;
std::string manifest_entry(const std::string& ref) {
    return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kDigest +
           R"(","size":10,"annotations":{"org.opencontainers.image.ref.name":")" + ref + R"("}})";
}
}  // namespace

TEST_CASE("digests are sha256 and 64 lowercase hex characters") {
    CHECK(parse_digest(kDigest).ok());
    CHECK_FALSE(parse_digest("sha512:" + kHex).ok());
    CHECK_FALSE(parse_digest("sha256:" + std::string(64, 'A')).ok());
    CHECK_FALSE(parse_digest("sha256:" + std::string(63, 'a')).ok());
    CHECK_FALSE(parse_digest("sha256:../../etc/passwd").ok());
}

TEST_CASE("index picks the manifest by tag, or the only one") {
    std::string two = R"({"schemaVersion":2,"manifests":[)" + manifest_entry("a") + "," + manifest_entry("b") + "]}";
    CHECK(parse_index(two, std::string("b")).ok());
    CHECK(parse_index(two, std::string("c")).error().message().find("no manifest tagged") != std::string::npos);
    CHECK_FALSE(parse_index(two, std::nullopt).ok());
    std::string one = R"({"schemaVersion":2,"manifests":[)" + manifest_entry("a") + "]}";
    CHECK(parse_index(one, std::nullopt)->size == 10);
}

TEST_CASE("index refuses bad schema, media type and sizes") {
    CHECK_FALSE(parse_index(R"({"schemaVersion":1,"manifests":[]})", std::nullopt).ok());
    CHECK_FALSE(parse_index(R"([1,2])", std::nullopt).ok());
    CHECK_FALSE(parse_index("{", std::nullopt).ok());
    std::string neg = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      kDigest + R"(","size":-1}]})";
    CHECK_FALSE(parse_index(neg, std::nullopt).ok());
    std::string big = R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                      kDigest + R"(","size":99999999}]})";
    CHECK(parse_index(big, std::nullopt).error().message().find("4 MiB") != std::string::npos);
    CHECK_FALSE(parse_index(std::string(kMaxJsonBytes + 1, ' '), std::nullopt).ok());
}

TEST_CASE("manifest: config and layer media types are checked") {
    auto doc = [](const std::string& config_type, const std::string& layer_type) {
        return R"({"schemaVersion":2,"config":{"mediaType":")" + config_type + R"(","digest":")" + kDigest +
               R"(","size":2},"layers":[{"mediaType":")" + layer_type + R"(","digest":")" + kDigest + R"(","size":3}]})";
    };
    auto m = parse_manifest(doc("application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+zstd"));
    REQUIRE(m.ok());
    CHECK(m->layers.at(0).compression == Compression::zstd);
    CHECK_FALSE(parse_manifest(doc("text/plain", "application/vnd.oci.image.layer.v1.tar")).ok());
    CHECK_FALSE(parse_manifest(doc("application/vnd.oci.image.config.v1+json",
                                   "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")).ok());
}

TEST_CASE("config: process fields and diff_ids") {
    auto c = parse_config(R"({"config":{"Entrypoint":["/bin/sh"],"Cmd":null,"Env":["A=1"],"WorkingDir":"/w","User":"1:2"},
        "rootfs":{"type":"layers","diff_ids":[")" + kDigest + R"("]}})");
    REQUIRE(c.ok());
    CHECK(c->entrypoint == std::vector<std::string>{"/bin/sh"});
    CHECK(c->cmd.empty());
    CHECK(c->user == "1:2");
    CHECK(c->diff_ids.size() == 1);
    CHECK_FALSE(parse_config(R"({"rootfs":{"type":"layers","diff_ids":["sha256:x"]}})").ok());
    CHECK_FALSE(parse_config(R"({"config":{"Env":"A=1"},"rootfs":{"type":"layers","diff_ids":[]}})").ok());
}

TEST_CASE("config: Labels keep their string values") {
    auto c = parse_config(R"({"config":{"Labels":{"a":"1","b":2,"c":null}},"rootfs":{"type":"layers","diff_ids":[]}})");
    REQUIRE(c.ok());
    CHECK(c->labels == std::map<std::string, std::string>{{"a", "1"}});
    CHECK_FALSE(parse_config(R"({"config":{"Labels":["a"]},"rootfs":{"type":"layers","diff_ids":[]}})").ok());
}

TEST_CASE("docker manifest.json: exactly one image") {
    CHECK(parse_docker_manifest(R"([{"Config":"x.json","Layers":["a/layer.tar"]}])")->layer_paths.size() == 1);
    CHECK_FALSE(parse_docker_manifest(R"([])").ok());
    CHECK_FALSE(parse_docker_manifest(R"([{"Config":"x.json","Layers":[1]}])").ok());
}

namespace {
std::string platform_entry(const std::string& digest_char, const std::string& platform, const std::string& media =
                               "application/vnd.oci.image.manifest.v1+json") {
    return R"({"mediaType":")" + media + R"(","digest":"sha256:)" + std::string(64, digest_char[0]) +
           R"(","size":10)" + (platform.empty() ? "" : R"(,"platform":)" + platform) + "}";
}
std::string index_of(const std::vector<std::string>& entries) {
    std::string out = R"({"schemaVersion":2,"manifests":[)";
    for (size_t i = 0; i < entries.size(); ++i)
        out += (i ? "," : "") + entries[i];
    return out + "]}";
}
const std::string kAmd64 = R"({"os":"linux","architecture":"amd64"})";
const std::string kArm64 = R"({"os":"linux","architecture":"arm64","variant":"v8"})";
const std::string kArmV7 = R"({"os":"linux","architecture":"arm","variant":"v7"})";
}  // namespace

TEST_CASE("platform: OS/ARCH[/VARIANT]") {
    auto p = parse_platform("linux/arm/v7");
    REQUIRE(p.ok());
    CHECK(p->os == "linux");
    CHECK(p->architecture == "arm");
    CHECK(p->variant == "v7");
    CHECK(platform_string(*p) == "linux/arm/v7");
    CHECK(parse_platform("linux/amd64")->variant.empty());
    for (const char* bad : {"linux", "linux/", "/amd64", "linux/amd64/v1/x", "Linux/amd64", "linux/am d64", ""})
        CHECK_FALSE(parse_platform(bad).ok());
}

TEST_CASE("multi-platform index: linux/amd64 by default, --platform to choose, a clear refusal otherwise") {
    std::string two = index_of({platform_entry("b", kArm64), platform_entry("a", kAmd64)});
    CHECK(parse_index(two, std::nullopt)->digest.hex == std::string(64, 'a'));
    CHECK(parse_index(two, std::nullopt, parse_platform("linux/arm64").value())->digest.hex == std::string(64, 'b'));
    CHECK(parse_index(two, std::nullopt, parse_platform("linux/arm64/v8").value())->digest.hex == std::string(64, 'b'));
    auto none = parse_index(two, std::nullopt, parse_platform("linux/s390x").value());
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message().find("no manifest for linux/s390x (it has linux/arm64/v8, linux/amd64") !=
          std::string::npos);
    CHECK_FALSE(parse_index(two, std::nullopt, parse_platform("linux/arm64/v9").value()).ok());
    // A lone manifest for another platform is refused too; one without a platform is taken.
    CHECK_FALSE(parse_index(index_of({platform_entry("c", kArmV7)}), std::nullopt).ok());
    CHECK(parse_index(index_of({platform_entry("c", "")}), std::nullopt).ok());
    // Two for the same platform: ambiguous.
    auto dup = parse_index(index_of({platform_entry("a", kAmd64), platform_entry("b", kAmd64)}), std::nullopt);
    CHECK(dup.error().message().find("2 manifests for linux/amd64") != std::string::npos);
    // A nested index is returned for the caller to follow; a Docker manifest list is an index.
    auto nested = parse_index(index_of({platform_entry("d", "", "application/vnd.oci.image.index.v1+json")}),
                              std::nullopt);
    REQUIRE(nested.ok());
    CHECK(is_index_media_type(nested->media_type));
    std::string list = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests":[)" + platform_entry("e", kAmd64, "application/vnd.docker.distribution.manifest.v2+json") + "]}";
    CHECK(parse_index(list, std::nullopt, Platform{}, "index 0123")->digest.hex == std::string(64, 'e'));
    // Malformed platforms are errors, naming the document.
    auto bad = parse_index(index_of({platform_entry("a", R"({"os":1})")}), std::nullopt, Platform{}, "index 0123");
    CHECK(bad.error().message().find("index 0123") != std::string::npos);
    CHECK_FALSE(parse_index(index_of({platform_entry("a", "[]")}), std::nullopt).ok());
}
