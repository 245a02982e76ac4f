// `podman run -t`: conmon passes --console-socket PATH and expects the runtime to create a
// pseudo-terminal, keep the slave as the workload's terminal and send the master over that
// AF_UNIX socket (SCM_RIGHTS). For krun the VMM's stdin and stdout become the slave, so the
// guest console is the container's terminal.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::krun {

// Opens a pty, sends its master to the socket at `socket_path`, returns the slave.
[[nodiscard]] Result<UniqueFd> open_console(const std::string& socket_path);

// Makes `slave` the calling process's controlling terminal and its stdin, stdout and stderr.
// The caller must be a session leader (setsid) without a controlling terminal.
[[nodiscard]] Result<void> adopt_console(UniqueFd slave);

}  // namespace cw::krun
