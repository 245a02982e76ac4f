#include "cwrun/image_cache.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "cwrun/image_unpack.h"
#include "cwrun/test_oci_image.h"
#include "cwrun/test_workload_dir.h"
#include "cwrun/workload_file.h"
#include "image_out/oci_archive.h"

namespace cw::cwrun {

using testing::Kind;
using testing::OciLayout;
using testing::WorkloadDir;

namespace {

std::string workload_json() {
    WorkloadDir w;
    return w.config.dump();
}

// The one error line for an image, and a check that the cache got no entry and no leftovers.
std::string refusal(OciLayout& image) {
    const std::string cache = (image.root / "cache").string();
    auto r = unpack_image(image.write(), cache);
    REQUIRE_FALSE(r.ok());
    const std::string line = r.error().to_string();
    CHECK(line.find('\n') == std::string::npos);
    CHECK((!std::filesystem::exists(cache) || std::filesystem::is_empty(cache)));
    return line;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("oci:DIR: a converted image unpacks to what cwrun DIR runs, once") {
    OciLayout image(workload_json());
    const std::string reference = image.write();
    const std::string cache = (image.root / "cache").string();
    auto first = unpack_image(reference, cache);
    REQUIRE_MESSAGE(first.ok(), first.error().to_string());
    CHECK_FALSE(first->cache_hit);
    const auto index = nlohmann::json::parse(testing::read_file(image.layout() / "index.json"));
    const std::string manifest = index["manifests"][0]["digest"];
    CHECK(first->dir == cache + "/sha256-" + manifest.substr(7));
    CHECK(testing::read_file(first->dir + "/workload.json") == workload_json());
    CHECK(testing::read_file(first->dir + "/disk.img") == std::string(8192, 'D'));
    CHECK_FALSE(std::filesystem::exists(first->dir + "/entrypoint"));  // the image's, never cwrun's
    auto workload = read_workload_file(first->dir);
    REQUIRE_MESSAGE(workload.ok(), workload.error().to_string());
    CHECK(workload->rootfs_path == first->dir + "/disk.img");
    // Exactly one entry, nothing left beside it.
    CHECK(std::distance(std::filesystem::directory_iterator(cache), std::filesystem::directory_iterator()) == 1);

    SUBCASE("a second run is a cache hit: the layer is not extracted again") {
        std::ofstream(first->dir + "/marker") << "kept";
        auto second = unpack_image(reference, cache);
        REQUIRE(second.ok());
        CHECK(second->cache_hit);
        CHECK(second->dir == first->dir);
        CHECK(std::filesystem::exists(first->dir + "/marker"));
    }
    SUBCASE("a changed image is another entry") {
        image.labels[oci::label::kWorkloadId] = "other";
        auto other = unpack_image(image.write(), cache);
        REQUIRE(other.ok());
        CHECK_FALSE(other->cache_hit);
        CHECK(other->dir != first->dir);
    }
}

TEST_CASE("oci-archive:FILE written by oci2cw's writer, measured") {
    OciLayout scratch(workload_json());
    const std::string wl = workload_json();
    const std::string disk(8192, 'D');
    const std::string measurement = R"({"measurement":"x"})";
    const std::string entrypoint = "#!/bin/false\n";  // named: the spec's spans must outlive the write
    oci::ImageSpec spec;
    auto bytes = [](const std::string& s) {
        return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    spec.files = {{"disk.img", "", bytes(disk), 0644},
                  {"entrypoint", "", bytes(entrypoint), 0755},
                  {"measurement.json", "", bytes(measurement), 0644},
                  {"workload.json", "", bytes(wl), 0644}};
    spec.gzip = true;
    spec.entrypoint = {"/entrypoint"};
    spec.labels = scratch.labels;
    spec.labels[oci::label::kMeasurement] = std::string(96, 'e');
    spec.ref_name = "localhost/hello:v1";
    const std::string file = (scratch.root / "image.tar").string();
    auto written = oci::write_oci_archive(spec, file);
    REQUIRE_MESSAGE(written.ok(), written.error().to_string());

    const std::string cache = (scratch.root / "cache").string();
    auto r = unpack_image("oci-archive:" + file, cache);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->dir == cache + "/sha256-" + written->manifest.hex);
    CHECK(testing::read_file(r->dir + "/measurement.json") == measurement);
    CHECK(testing::read_file(r->dir + "/disk.img") == disk);

    SUBCASE("labelled measured without measurement.json") {
        spec.files.erase(spec.files.begin() + 2);
        REQUIRE(oci::write_oci_archive(spec, file).ok());
        auto missing = unpack_image("oci-archive:" + file, cache);
        REQUIRE_FALSE(missing.ok());
        CHECK(contains(missing.error().to_string(), "the layer has no measurement.json"));
    }
}

TEST_CASE("an image oci2cw did not convert: one line saying so") {
    OciLayout image(workload_json());
    image.labels.clear();
    const std::string line = refusal(image);
    CHECK(line == "oci:" + image.layout().string() +
                      " is not a converted confidential workload image: convert it with oci2cw");
}

TEST_CASE("bad labels") {
    OciLayout image(workload_json());
    SUBCASE("rootfs is not a plain name") {
        image.labels[oci::label::kRootfs] = "../disk.img";
        CHECK(contains(refusal(image), "rootfs \"../disk.img\" is not a plain file name"));
    }
    SUBCASE("rootfs names another file of the layer") {
        image.labels[oci::label::kRootfs] = "workload.json";
        CHECK(contains(refusal(image), "is not a plain file name"));
    }
    SUBCASE("another format version") {
        image.labels[oci::label::kFormatVersion] = "2";
        CHECK(contains(refusal(image), "this cwrun reads format version 1"));
    }
    SUBCASE("workload-sha256 of another workload.json") {
        image.labels[oci::label::kWorkloadSha256] = std::string(64, '0');
        CHECK(contains(refusal(image), "workload.json does not match the label"));
    }
}

TEST_CASE("hostile layer entries refuse the whole image") {
    OciLayout image(workload_json());
    SUBCASE("a path with ..") {
        image.entries.push_back({"../escape", "x"});
        CHECK(contains(refusal(image), "layer entry \"../escape\": a path with \"..\""));
        CHECK_FALSE(std::filesystem::exists(image.root / "escape"));
    }
    SUBCASE("a .. that would resolve inside the layer") {
        image.entries[2].path = "x/../workload.json";
        CHECK(contains(refusal(image), "a path with \"..\""));
    }
    SUBCASE("a name a converted image does not hold") {
        image.entries.push_back({"etc/passwd", "root::0:0::/:/bin/sh\n"});
        CHECK(contains(refusal(image), "layer entry \"etc/passwd\": not a file a converted image holds"));
    }
    SUBCASE("a symbolic link") {
        image.entries[2] = {"workload.json", "", Kind::symlink, "/etc/passwd"};
        CHECK(contains(refusal(image), "layer entry \"workload.json\": a symbolic link, not a regular file"));
    }
    SUBCASE("a hard link") {
        image.entries.push_back({"measurement.json", "", Kind::hardlink, "workload.json"});
        CHECK(contains(refusal(image), "measurement.json\": a hard link, not a regular file"));
    }
    SUBCASE("a directory with a wanted name") {
        image.entries.push_back({"measurement.json/", "", Kind::directory});
        CHECK(contains(refusal(image), "a directory, not a regular file"));
    }
    SUBCASE("a file twice") {
        image.entries.push_back({"./workload.json", "{}"});
        CHECK(contains(refusal(image), "workload.json appears twice"));
    }
    SUBCASE("workload.json over its bound") {
        image.entries.push_back({"measurement.json", std::string(kMaxMeasurementFileBytes + 1, ' ')});
        CHECK(contains(refusal(image), "65537 bytes, more than the 65536 allowed"));
    }
    SUBCASE("no disk") {
        image.entries.erase(image.entries.begin());
        CHECK(contains(refusal(image), "the layer has no disk.img"));
    }
}

TEST_CASE("a layer that does not match its digest is refused, named by its digest") {
    OciLayout image(workload_json());
    const std::string reference = image.write();
    const auto blob = image.blob(image.layer_digest);
    std::string layer = testing::read_file(blob);
    layer[layer.find(std::string(16, 'D'))] = 'X';  // one byte of the disk's content
    std::ofstream(blob, std::ios::binary | std::ios::trunc) << layer;
    const std::string cache = (image.root / "cache").string();
    auto r = unpack_image(reference, cache);
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().to_string(), "digest mismatch"));
    CHECK(std::filesystem::is_empty(cache));
}

TEST_CASE("references") {
    CHECK(is_image_reference("oci-archive:/x.tar"));
    CHECK(is_image_reference("oci:dir:tag"));
    CHECK_FALSE(is_image_reference("./oci:dir"));
    CHECK_FALSE(is_image_reference("docker-archive:/x.tar"));
    CHECK_FALSE(unpack_image("docker-archive:/x.tar", "/nonexistent").ok());
}

}  // namespace cw::cwrun
