// pread/pwrite that finish the whole range (retrying short transfers and EINTR) and say
// which offset failed; a read that meets end of file early is an error, not a short read.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace cw::disk {

[[nodiscard]] Result<void> pread_exact(int fd, void* buf, size_t size, uint64_t offset);
[[nodiscard]] Result<void> pwrite_all(int fd, const void* buf, size_t size, uint64_t offset);

}  // namespace cw::disk
