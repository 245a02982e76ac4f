// What oci2cw leaves in --output, built up stage by stage: the root filesystem file
// (rootfs.squashfs with its dm-verity tree for --tee none; disk.img, the LUKS2 container
// of the same bytes, for a TEE), workload.json (the workload configuration: the one
// description of the workload, measured at launch) and, when a kernel was given,
// measurement.json (the launch digest expected for it). docs/disk-format.md is the reference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "disk/luks2.h"
#include "disk/verity.h"
#include "image/image.h"

namespace cw::oci {

constexpr const char* kRootfsFile = "rootfs.squashfs";
constexpr const char* kDiskFile = "disk.img";
constexpr const char* kWorkloadFile = "workload.json";
constexpr const char* kMeasurementFile = "measurement.json";
// Written by earlier versions; removed so --output never holds two descriptions.
constexpr const char* kLegacyImageJsonFile = "image.json";
constexpr int kWorkloadFormatVersion = 1;

struct Artifacts {
    std::string rootfs_file;    // kRootfsFile or kDiskFile, inside --output
    std::string rootfs_sha256;  // hex, of the whole file
    uint64_t rootfs_size = 0;
    uint64_t squashfs_size = 0;                  // the squashfs alone, before padding and tree
    disk::VerityInfo verity;                     // offsets within the (decrypted) payload
    std::optional<disk::LuksInfo> luks;          // set for an encrypted disk
};

// What the user chose for the workload beyond the image (docs/disk-format.md, workload.json).
struct WorkloadSettings {
    std::string workload_id;  // valid_workload_id
    std::string tee;          // none, sim, snp, tdx
    uint32_t cpus = 1;
    uint32_t ram_mib = 256;
    std::string attestation_url;  // empty: none (then attestation_ca is empty too)
    std::string attestation_ca;   // PEM text, embedded: the guest trusts only it
};

// SHA-256 and size of a finished output file.
[[nodiscard]] Result<void> hash_file(const std::string& path, std::string& hex, uint64_t& size);

// workload.json's bytes: canonical (keys in byte order, no insignificant whitespace, no
// trailing newline), because they are measured: the same inputs always give the same bytes.
// An error if they exceed what the VMM accepts as a workload configuration.
[[nodiscard]] Result<std::string> workload_json(const ImageConfig& config, const Artifacts& a,
                                                const WorkloadSettings& settings);

// Writes `text` as dir/name through a temporary file and a rename (never half-written).
[[nodiscard]] Result<void> write_output_file(const std::string& dir, const std::string& name, const std::string& text);

}  // namespace cw::oci
