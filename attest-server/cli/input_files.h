// Bounded reads of the files `cw-attest-server verify` is given (evidence, --cert, --sim-key).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace cw::attest::cli {

inline constexpr uint64_t kMaxEvidenceSize = 1 << 20;   // SNP report 1184 B, TDX quote ~5 KiB
inline constexpr uint64_t kMaxCertFileSize = 64 << 10;  // a PEM bundle of three certificates ~6 KiB

// Reads a whole file of at most `max_size` bytes; an empty file is an empty vector (it is
// evidence that fails to parse, not an unreadable file). Errors name the path.
Result<std::vector<uint8_t>> read_input_file(const std::string& path, uint64_t max_size);

}  // namespace cw::attest::cli
