// Everything guest-init needs to boot one workload: filled from the measured workload
// configuration (/cw/workload.json, written by oci2cw, read by src/workload) by plan_loader,
// plus the run-time override of the command.
//
// Trust: in a confidential boot every field comes from the measured configuration, so the
// host cannot change it without changing the launch measurement. `override_args` comes from
// the kernel command line (cwrun -- ARGS); it is measured too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cw::guest {

enum class GuestTee { None, Sim, Snp, Tdx };

// dm-verity parameters of the plaintext (docs/disk-format.md "image.json"): format 1,
// SHA-256, 4096-byte data and hash blocks, no superblock.
struct VerityPlan {
    uint64_t data_blocks = 0;
    uint64_t hash_offset = 0;  // bytes from the start of the plaintext device, a multiple of 4096
    std::array<uint8_t, 32> salt{};
    std::array<uint8_t, 32> root_hash{};
};

struct AttestPlan {
    std::string server_name;  // checked against the server certificate (SNI, DNS name or IP)
    uint32_t vsock_port = 0;  // host (CID 2) port that cwrun --vsock-forward maps to the server
    std::string ca_pem;       // the only trust anchors for the server
    unsigned max_attempts = 5;       // connect failures are retried up to this many attempts
    unsigned first_backoff_ms = 200;  // doubled after each failed attempt
};

struct ProcessPlan {
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::optional<std::vector<std::string>> override_args;  // replaces cmd, keeps entrypoint
    std::vector<std::string> env;  // "NAME=value"
    std::string working_dir = "/";
    std::string user;  // OCI "user": "", "name", "uid", "name:group", "uid:gid"
};

struct GuestPlan {
    std::string workload_id;
    GuestTee tee = GuestTee::None;
    unsigned cpus = 1;
    uint64_t ram_mib = 0;
    std::string hostname;  // empty: the workload id
    std::string disk_device = "/dev/vda";
    bool encrypted = false;  // LUKS2 disk.img (sim/snp/tdx) or plain squashfs+verity (none)
    VerityPlan verity;
    std::optional<AttestPlan> attest;  // present when encrypted
    ProcessPlan process;
};

}  // namespace cw::guest
