// `cwrun WORKLOAD -- ARGS...`: the guest init's arguments, passed the only way the VMM has,
// as words after `--` on the kernel command line (docs/guest-abi.md "Base command line").
// The kernel splits that line at spaces (and at byte 0xA0, which its Latin-1 ctype counts as
// one) unless inside double quotes, has no escapes, and stops collecting init arguments at
// a second bare `--`; so an argument is quoted when it holds a separator, and one the kernel
// cannot pass through unchanged is refused rather than silently altered.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace cw::cwrun {

// The kernel's argv_init has room for CONFIG_INIT_ENV_ARG_LIMIT (32) entries, init's own name
// included; more makes it panic at boot.
inline constexpr size_t kMaxGuestArgs = 31;

// " -- ARG1 ARG2 ..." to append to the kernel command line ("" for no arguments).
[[nodiscard]] Result<std::string> guest_args_cmdline(const std::vector<std::string>& args);

}  // namespace cw::cwrun
