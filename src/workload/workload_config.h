// workload.json (docs/disk-format.md "workload.json"): the one description of a workload.
// oci2cw writes it; this is its reader, shared by cwrun (which launches it) and guest-init
// (which boots it from /cw/workload.json).
//
// Trust: in the guest the file's bytes are part of the launch measurement, so a host cannot
// change them without the attestation server refusing the disk key. It is still parsed as
// hostile input: a `--tee none` workload is not attested, and cwrun reads whatever file it is
// given. Parsing is strict (unknown, duplicate, missing fields and wrong types are refused), so
// a field a newer writer adds cannot be silently ignored by an older guest.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "workload/server_url.h"

namespace cw::workload {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kMaxConfigBytes = 64 * 1024;  // the VMM's bound for /cw/workload.json
inline constexpr uint64_t kBlockSize = 4096;           // dm-verity data and hash blocks

enum class Tee { None, Sim, Snp, Tdx };
[[nodiscard]] const char* tee_name(Tee tee);

// dm-verity format 1, SHA-256, 4096-byte blocks, no superblock; offsets within the plaintext.
struct Verity {
    uint64_t data_blocks = 0;
    uint64_t hash_offset = 0;  // == data_blocks * 4096
    uint64_t hash_size = 0;
    std::array<uint8_t, 32> salt{};
    std::array<uint8_t, 32> root_hash{};
};

// LUKS2, aes-xts-plain64 with a 512-bit volume key, 4096-byte sectors, keyslot 0.
struct Encryption {
    uint64_t data_offset = 0;
    uint64_t payload_size = 0;
    std::string uuid;
};

struct Rootfs {
    std::string file;  // a plain file name beside workload.json
    uint64_t size = 0;
    std::string sha256;  // 64 lowercase hex, of the whole file
    uint64_t squashfs_size = 0;
    Verity verity;
    std::optional<Encryption> encryption;  // present exactly when the format is "luks2"
};

struct Attestation {
    ServerUrl server;
    std::string ca_pem;  // the only trust anchors for the server
};

struct WorkloadConfig {
    std::string workload_id;
    Tee tee = Tee::None;
    uint32_t cpus = 1;
    uint32_t ram_mib = 0;
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    std::string working_dir;
    std::string user;
    Rootfs rootfs;
    std::optional<Attestation> attestation;
};

// Errors are one line "<what>: <field>: <why>" and never echo the file's text.
inline constexpr const char* kDefaultName = "workload.json";
[[nodiscard]] Result<WorkloadConfig> parse_workload_config(std::string_view text, std::string_view what = kDefaultName);

}  // namespace cw::workload
