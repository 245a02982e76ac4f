// Page lists as JSON, the input of `cw-measure snp-pages` / `tdx-pages`, for checking our
// digests against other tools. The JSON is untrusted: sizes and counts are bounded, and
// anything unexpected (unknown or duplicate keys, wrong types, non-hex or unaligned GPAs,
// a missing or superfluous "file", files of the wrong size) is refused with one message
// naming the entry index (0-based) and what was wrong.
//
//   SNP: [{"type": "normal|vmsa|zero|unmeasured|secrets|cpuid", "gpa": "0x...", "file": "PATH"}]
//        "file" only for normal (a whole number of 4 KiB pages, one PAGE_INFO per page) and
//        vmsa (exactly 4096 bytes) entries; every other entry is one page.
//   TDX: [{"op": "add|extend", "gpa": "0x...", "file": "PATH"}]
//        add: one TDH.MEM.PAGE.ADD of the page at gpa (4 KiB aligned), no "file" (PAGE.ADD
//        does not measure contents); extend: one TDH.MR.EXTEND per 256 bytes of "file"
//        (a non-zero multiple of 256 bytes) from gpa (256-byte aligned) on.
//
// Relative paths are relative to the JSON file's directory. Parsing checks the structure
// only and touches no file, so it can be fuzzed; measuring reads the files through a hook.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tee/measurement/snp_launch_digest.h"
#include "tee/measurement/tdx_measurement.h"

namespace cw::tee {

// A hand-written page list is small; 16 MiB of JSON is already ~500k entries.
inline constexpr size_t kMaxPageListJsonBytes = 16u << 20;
// 2^18 entries: 1 GiB of guest memory even at one 4 KiB page per entry.
inline constexpr size_t kMaxPageListEntries = 1u << 18;
// One file: larger than any kernel plus initramfs we measure page by page.
inline constexpr uint64_t kMaxPageListFileBytes = 1ull << 30;
// All files together: bounds the hashing work a list can ask for (files may repeat).
inline constexpr uint64_t kMaxPageListTotalFileBytes = 4ull << 30;

struct SnpPageEntry {
    SnpPageType type;
    uint64_t gpa;
    std::string file;  // empty for types without contents
};

struct TdxOpEntry {
    TdxOpKind op;
    uint64_t gpa;
    std::string file;  // empty for add
};

[[nodiscard]] Result<std::vector<SnpPageEntry>> parse_snp_page_list(std::string_view json);
[[nodiscard]] Result<std::vector<TdxOpEntry>> parse_tdx_op_list(std::string_view json);

// Returns the bytes of the file at `path`, refusing files larger than `max_size`.
using PageFileReader = std::function<Result<std::vector<uint8_t>>(const std::string& path, uint64_t max_size)>;
// Reads a regular file from the filesystem.
[[nodiscard]] Result<std::vector<uint8_t>> read_page_file(const std::string& path, uint64_t max_size);

// Reads each entry's file (relative paths against `base_dir`) one at a time and measures
// the entries in order; errors name the entry index.
[[nodiscard]] Result<void> measure_snp_page_list(std::span<const SnpPageEntry> entries, const std::string& base_dir,
                                                 const PageFileReader& read, SnpLaunchDigest& digest);
[[nodiscard]] Result<void> measure_tdx_op_list(std::span<const TdxOpEntry> entries, const std::string& base_dir,
                                               const PageFileReader& read, TdxMrtd& mrtd);

}  // namespace cw::tee
