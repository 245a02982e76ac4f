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

TEST_CASE("docker manifest.json: exactly one image") {
    CHECK(parse_docker_manifest(R"([{"Config":"x.json","Layers":["a/layer.tar"]}])")->layer_paths.size() == 1);
    CHECK_FALSE(parse_docker_manifest(R"([])").ok());
    CHECK_FALSE(parse_docker_manifest(R"([{"Config":"x.json","Layers":[1]}])").ok());
}
