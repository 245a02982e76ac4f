#include "workload/workload_config.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using cw::workload::parse_workload_config;
using cw::workload::Tee;
using Json = nlohmann::json;

namespace {

const std::string kHex(64, 'a');
const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// What oci2cw writes for a small --tee sim image (docs/disk-format.md).
Json sim_config() {
    return {{"version", 1},
            {"workload_id", "hello"},
            {"tee", "sim"},
            {"cpus", 1},
            {"ram_mib", 256},
            {"entrypoint", {"/bin/busybox"}},
            {"cmd", {"sh", "-c", "echo hi"}},
            {"env", {"PATH=/bin"}},
            {"working_dir", "/"},
            {"user", ""},
            {"attestation_url", "https://10.0.0.1:8443"},
            {"attestation_ca", kCa},
            {"rootfs",
             {{"file", "disk.img"},
              {"format", "luks2"},
              {"size", 1048576 + 3 * 4096},
              {"sha256", kHex},
              {"squashfs_size", 4096},
              {"verity",
               {{"version", 1}, {"hash", "sha256"}, {"data_block_size", 4096}, {"hash_block_size", 4096},
                {"data_blocks", 2}, {"hash_offset", 8192}, {"hash_size", 4096}, {"superblock", false},
                {"salt", kHex}, {"root_hash", std::string(64, 'b')}}},
              {"encryption",
               {{"cipher", "aes-xts-plain64"}, {"key_bits", 512}, {"sector_size", 4096}, {"data_offset", 1048576},
                {"payload_size", 3 * 4096}, {"keyslot", 0}, {"uuid", "8d1f0c4e-0000-4000-8000-000000000000"}}}}}};
}

Json none_config() {
    Json j = sim_config();
    j["tee"] = "none";
    j.erase("attestation_url");
    j.erase("attestation_ca");
    j["rootfs"]["format"] = "squashfs+verity";
    j["rootfs"]["file"] = "rootfs.squashfs";
    j["rootfs"]["size"] = 3 * 4096;
    j["rootfs"].erase("encryption");
    return j;
}

std::string refusal(const Json& j) {
    auto r = parse_workload_config(j.dump());
    return r.ok() ? "" : r.error().to_string();
}

}  // namespace

TEST_CASE("workload.json: a sim workload reads back whole") {
    auto r = parse_workload_config(sim_config().dump());
    REQUIRE(r.ok());
    CHECK(r->workload_id == "hello");
    CHECK(r->tee == Tee::Sim);
    CHECK(r->ram_mib == 256);
    CHECK(r->cmd == std::vector<std::string>{"sh", "-c", "echo hi"});
    CHECK(r->rootfs.verity.data_blocks == 2);
    CHECK(r->rootfs.verity.root_hash[0] == 0xbb);
    REQUIRE(r->rootfs.encryption.has_value());
    CHECK(r->rootfs.encryption->data_offset == 1048576);
    REQUIRE(r->attestation.has_value());
    CHECK(r->attestation->server.host == "10.0.0.1");
    CHECK(r->attestation->server.port == 8443);
}

TEST_CASE("workload.json: a --tee none workload has no encryption and no server") {
    auto r = parse_workload_config(none_config().dump());
    REQUIRE(r.ok());
    CHECK(r->tee == Tee::None);
    CHECK_FALSE(r->rootfs.encryption.has_value());
    CHECK_FALSE(r->attestation.has_value());
}

TEST_CASE("workload.json: each refusal names the field") {
    struct Case {
        const char* what;
        void (*mutate)(Json&);
        const char* expected;
    };
    const Case cases[] = {
        {"version 2", [](Json& j) { j["version"] = 2; }, "version"},
        {"unknown field", [](Json& j) { j["extra"] = 1; }, "unknown field"},
        {"missing cmd", [](Json& j) { j.erase("cmd"); }, "cmd: missing"},
        {"bad id", [](Json& j) { j["workload_id"] = "Bad/Id"; }, "workload_id"},
        {"bad tee", [](Json& j) { j["tee"] = "sgx"; }, "tee"},
        {"cpus 0", [](Json& j) { j["cpus"] = 0; }, "cpus"},
        {"cpus negative", [](Json& j) { j["cpus"] = -1; }, "cpus"},
        {"ram too small", [](Json& j) { j["ram_mib"] = 16; }, "ram_mib"},
        {"cmd not strings", [](Json& j) { j["cmd"] = Json::array({1}); }, "cmd"},
        {"path in file", [](Json& j) { j["rootfs"]["file"] = "../disk.img"; }, "rootfs.file"},
        {"dotdot file", [](Json& j) { j["rootfs"]["file"] = ".."; }, "rootfs.file"},
        {"bad format", [](Json& j) { j["rootfs"]["format"] = "ext4"; }, "rootfs.format"},
        {"luks2 without encryption", [](Json& j) { j["rootfs"].erase("encryption"); }, "rootfs.encryption"},
        {"superblock", [](Json& j) { j["rootfs"]["verity"]["superblock"] = true; }, "rootfs.verity.superblock"},
        {"hash offset", [](Json& j) { j["rootfs"]["verity"]["hash_offset"] = 4096; }, "rootfs.verity.hash_offset"},
        {"short salt", [](Json& j) { j["rootfs"]["verity"]["salt"] = "ab"; }, "rootfs.verity.salt"},
        {"upper hex", [](Json& j) { j["rootfs"]["verity"]["root_hash"] = std::string(64, 'B'); }, "root_hash"},
        {"block size", [](Json& j) { j["rootfs"]["verity"]["data_block_size"] = 512; }, "data_block_size"},
        {"cipher", [](Json& j) { j["rootfs"]["encryption"]["cipher"] = "aes-cbc-essiv"; }, "cipher"},
        {"size mismatch", [](Json& j) { j["rootfs"]["size"] = 1048576; }, "payload_size"},
        {"url without ca", [](Json& j) { j.erase("attestation_ca"); }, "attestation_ca"},
        {"bad url", [](Json& j) { j["attestation_url"] = "http://x"; }, "attestation_url"},
        {"ca not pem", [](Json& j) { j["attestation_ca"] = "hello"; }, "attestation_ca"},
        {"sim with plain disk", [](Json& j) { j = none_config(); j["tee"] = "sim"; }, "rootfs.format"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        Json j = sim_config();
        c.mutate(j);
        std::string error = refusal(j);
        CHECK(error.find(c.expected) != std::string::npos);
        CHECK(error.rfind("workload.json: ", 0) == 0);
    }
}

TEST_CASE("workload.json: not JSON, duplicates, oversized") {
    CHECK_FALSE(parse_workload_config("").ok());
    CHECK_FALSE(parse_workload_config("[]").ok());
    CHECK_FALSE(parse_workload_config("{\"version\":1,\"version\":1}").ok());
    CHECK_FALSE(parse_workload_config(std::string(70000, ' ')).ok());
    std::string text = sim_config().dump();
    for (size_t cut = 0; cut < text.size(); cut += 7)
        CHECK_FALSE(parse_workload_config(text.substr(0, cut)).ok());
}
