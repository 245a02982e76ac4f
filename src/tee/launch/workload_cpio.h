// The workload configuration as the guest sees it: a small cpio "newc" archive holding
// /cw/workload.json, appended by the VMM to the initramfs in guest memory. The kernel
// unpacks concatenated archives (Documentation/driver-api/early-userspace/buffer-format.rst),
// so the guest init reads the configuration as a file, and because it lies in the initrd
// pages it is part of the launch measurement. Same conventions as guest/mkcpio.py: fixed
// inode numbers, mtime 0, owner root, TRAILER!!! padded to 512 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::tee {

inline constexpr std::string_view kWorkloadConfigGuestPath = "/cw/workload.json";
// A configuration is a few entries of text; the bound keeps a mistaken file out of RAM.
inline constexpr uint64_t kMaxWorkloadConfigBytes = 64 * 1024;

struct CpioEntry {
    std::string name;  // without a leading '/'
    uint32_t mode;     // file type and permission bits (S_IFDIR | 0755, S_IFREG | 0444, ...)
    std::vector<uint8_t> data;
};

// A newc archive of `entries` (inode numbers 1, 2, ... in order) and the trailer.
[[nodiscard]] std::vector<uint8_t> write_cpio_newc(std::span<const CpioEntry> entries);

// The archive holding `config` as /cw/workload.json (directory cw/ 0755, file 0444).
[[nodiscard]] std::vector<uint8_t> workload_config_cpio(std::span<const uint8_t> config);

// Reads and checks a workload configuration file: at most kMaxWorkloadConfigBytes, and a
// JSON document (its meaning is the guest init's business).
[[nodiscard]] Result<std::vector<uint8_t>> read_workload_config(const std::string& path);

// SHA-256 of the configuration: the sim report's HOST_DATA (and SNP HOST_DATA later).
using HostData = std::array<uint8_t, 32>;
[[nodiscard]] Result<HostData> workload_host_data(std::span<const uint8_t> config);

}  // namespace cw::tee
