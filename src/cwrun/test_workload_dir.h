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
    nlohmann::json config = {
        {"version", 1},
        {"tee", "sim"},
        {"cpus", 2},
        {"ram_mib", 512},
        {"workload_id", "hello"},
        {"rootfs", {{"file", "disk.img"}, {"format", "luks2"}, {"size", 8192}}},
        {"attestation_url", "https://attest.example:8443"},
    };

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
