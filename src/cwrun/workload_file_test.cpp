#include "cwrun/workload_file.h"

#include <doctest/doctest.h>

#include "cwrun/test_workload_dir.h"

namespace cw::cwrun {

using testing::WorkloadDir;

namespace {

// The one error line for a workload.json; the test checks it names what was wrong.
std::string refusal(const WorkloadDir& w) {
    auto r = read_workload_file(w.write());
    REQUIRE_FALSE(r.ok());
    const std::string line = r.error().to_string();
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find("workload.json") != std::string::npos);
    return line;
}

}  // namespace

TEST_CASE("workload.json: the fields image mode uses, from the directory or the file") {
    WorkloadDir w;
    const std::string dir = w.write();
    for (const std::string& arg : {dir, dir + "/", dir + "/workload.json"}) {
        auto r = read_workload_file(arg);
        REQUIRE_MESSAGE(r.ok(), r.error().to_string());
        CHECK(r->config_path == dir + "/workload.json");
        CHECK(r->tee == "sim");
        CHECK(r->cpus == 2);
        CHECK(r->ram_mib == 512);
        CHECK(r->rootfs_path == dir + "/disk.img");
        CHECK(r->rootfs_size == 8192);
        REQUIRE(r->attestation.has_value());
        CHECK(r->attestation->host == "attest.example");
        CHECK(r->attestation->port == 8443);
    }
    w.make_plain();
    auto none = read_workload_file(w.write());
    REQUIRE(none.ok());
    CHECK(none->tee == "none");
    CHECK_FALSE(none->attestation.has_value());
}

TEST_CASE("workload.json: a missing or unreadable file is one line naming the path") {
    WorkloadDir w;
    auto no_file = read_workload_file(w.dir.string());  // nothing written yet
    REQUIRE_FALSE(no_file.ok());
    CHECK(no_file.error().to_string().find("workload.json: No such file") != std::string::npos);
    auto no_dir = read_workload_file((w.dir / "missing").string());
    REQUIRE_FALSE(no_dir.ok());
    CHECK(no_dir.error().to_string().find("WORKLOAD " + (w.dir / "missing").string() + ": No such file") == 0);
    w.write_file("workload.json", std::string(64 * 1024 + 1, ' '));
    auto big = read_workload_file(w.dir.string());
    REQUIRE_FALSE(big.ok());
    CHECK(big.error().to_string().find("65537 bytes, more than the 65536") != std::string::npos);
}

// Field by field refusals are src/workload's tests (the same reader); here: they reach the user
// as one line naming the file and the field.
TEST_CASE("workload.json: the shared reader's refusals name the file and the field") {
    WorkloadDir w;
    w.config["version"] = 2;
    CHECK(refusal(w).find("version") != std::string::npos);
    w.config["version"] = 1;
    w.config["cpus"] = 65;
    CHECK(refusal(w).find("cpus") != std::string::npos);
    w.config["cpus"] = 1;
    w.config["rootfs"]["file"] = "../disk.img";
    CHECK(refusal(w).find("rootfs.file") != std::string::npos);
    w.write_file("workload.json", "{\"version\":");
    CHECK(read_workload_file(w.dir.string()).error().to_string().find("not valid JSON") != std::string::npos);
}

TEST_CASE("workload.json: rootfs names a file beside it, of the recorded size") {
    WorkloadDir w;
    w.config["rootfs"]["file"] = "missing.img";
    CHECK(refusal(w).find("rootfs.file " + w.dir.string() + "/missing.img: No such file") != std::string::npos);
    std::filesystem::create_directory(w.dir / "adir");
    w.config["rootfs"]["file"] = "adir";
    CHECK(refusal(w).find("adir: not a regular file") != std::string::npos);
    w.config["rootfs"]["file"] = "disk.img";
    w.config["rootfs"]["size"] = 16384;
    w.config["rootfs"]["encryption"]["payload_size"] = 16384 - 4096;
    CHECK(refusal(w).find("rootfs.size 16384 does not match " + w.dir.string() + "/disk.img (8192 bytes)") !=
          std::string::npos);
}

TEST_CASE("workload.json: neither it nor the disk is reached through a symbolic link") {
    // Under krun the directory is a container image's root, whose links point anywhere.
    WorkloadDir w;
    w.write();
    std::filesystem::create_symlink(w.dir / "disk.img", w.dir / "link.img");
    w.config["rootfs"]["file"] = "link.img";
    CHECK(refusal(w).find("link.img: a symbolic link, refused") != std::string::npos);
    w.config["rootfs"]["file"] = "disk.img";
    w.write();
    std::filesystem::rename(w.dir / "workload.json", w.dir / "real.json");
    std::filesystem::create_symlink(w.dir / "real.json", w.dir / "workload.json");
    auto r = read_workload_file(w.dir.string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string().find("workload.json: a symbolic link, refused") != std::string::npos);
}

TEST_CASE("workload.json: attestation_url") {
    WorkloadDir w;
    w.config["attestation_url"] = "http://attest.example";
    CHECK(refusal(w).find("attestation_url: expected https://HOST[:PORT]") != std::string::npos);
    w.config["attestation_url"] = "https://[fd00::1]";
    auto r = read_workload_file(w.write());
    REQUIRE(r.ok());
    CHECK(r->attestation->host == "fd00::1");
    CHECK(r->attestation->port == 443);
}

}  // namespace cw::cwrun
