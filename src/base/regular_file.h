// A regular file opened read-only with its size, for code that reads it with pread or
// streams it: anything else at the path (a directory, a device, a FIFO) is refused.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw {

struct RegularFile {
    UniqueFd fd;
    uint64_t size = 0;
};

// Fails with "open PATH: ...", "stat PATH: ..." or "PATH is not a regular file".
[[nodiscard]] Result<RegularFile> open_regular_file(const std::string& path);

}  // namespace cw
