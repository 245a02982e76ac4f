// Unit tests only: a temporary oci2cw-style output directory, workload.json written by hand
// beside a small rootfs file.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cw::cwrun::testing {

struct WorkloadDir {
    std::filesystem::path dir;
    // What oci2cw writes for a sim workload whose disk is 8192 bytes (docs/disk-format.md).
    nlohmann::json config = {
        {"version", 1},
        {"workload_id", "hello"},
        {"tee", "sim"},
        {"cpus", 2},
        {"ram_mib", 512},
        {"entrypoint", nlohmann::json::array({"/bin/sh"})},
        {"cmd", nlohmann::json::array()},
        {"env", nlohmann::json::array({"PATH=/bin"})},
        {"working_dir", "/"},
        {"user", ""},
        {"attestation_url", "https://attest.example:8443"},
        {"attestation_ca", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
        {"rootfs",
         {{"file", "disk.img"},
          {"format", "luks2"},
          {"size", 8192},
          {"sha256", std::string(64, 'a')},
          {"squashfs_size", 2048},
          {"verity",
           {{"version", 1}, {"hash", "sha256"}, {"data_block_size", 4096}, {"hash_block_size", 4096},
            {"data_blocks", 1}, {"hash_offset", 4096}, {"hash_size", 0}, {"superblock", false},
            {"salt", std::string(64, 'b')}, {"root_hash", std::string(64, 'c')}}},
          {"encryption",
           {{"cipher", "aes-xts-plain64"}, {"key_bits", 512}, {"sector_size", 4096}, {"data_offset", 4096},
            {"payload_size", 4096}, {"keyslot", 0}, {"uuid", "00000000-0000-4000-8000-000000000000"}}}}},
    };

    // A --tee none workload: an unencrypted disk, no attestation server.
    void make_plain() {
        config["tee"] = "none";
        config.erase("attestation_url");
        config.erase("attestation_ca");
        config["rootfs"]["format"] = "squashfs+verity";
        config["rootfs"].erase("encryption");
    }

    WorkloadDir() {
        char tmpl[] = "/tmp/cw-cwrun-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        write_file("disk.img", std::string(8192, 'D'));
    }
    WorkloadDir(const WorkloadDir&) = delete;
    WorkloadDir& operator=(const WorkloadDir&) = delete;
    ~WorkloadDir() { std::filesystem::remove_all(dir); }

    void write_file(const std::string& name, const std::string& content) const {
        std::ofstream(dir / name, std::ios::binary) << content;
    }
    // Writes `config` as workload.json; returns the directory.
    std::string write() const {
        write_file("workload.json", config.dump());
        return dir.string();
    }
};

}  // namespace cw::cwrun::testing
