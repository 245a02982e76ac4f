// The guest end of the VMM's signal relay (src/vmm/signal_relay.h, docs/guest-abi.md
// "Signals"): a thread listening on vsock port kSignalRelayVsockPort that turns one byte
// from the host (SIGTERM, SIGINT or SIGHUP) into that signal to PID 1, which forwards it to
// the workload (process_runner). Any other byte is refused (connection closed, no answer).
//
// Trust: only the host can connect to a guest vsock port; a signal is what the host could
// do anyway by stopping the VM, so the relay grants it nothing new.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::guest {

// Listens on the relay's vsock port. Call before the workload starts: a host signal sent as
// soon as the workload prints something then waits in the listen backlog instead of being
// refused because nothing listened yet.
Result<UniqueFd> listen_signal_relay();

// Starts the relay thread on that socket (detached; it lives until power-off). Call once the
// workload runs: PID 1's handlers for the forwarded signals are installed then.
void start_signal_relay(UniqueFd listener);

}  // namespace cw::guest
