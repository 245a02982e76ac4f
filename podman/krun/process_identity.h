// A host process named by pid and start time: a pid alone may be reused once the VMM exits
// and conmon reaps it, and krun must never signal a stranger.
#pragma once

#include <cstdint>
#include <optional>

namespace cw::krun {

// The process's start time in clock ticks since boot (/proc/PID/stat field 22), nullopt if
// there is no such process.
[[nodiscard]] std::optional<uint64_t> process_start_time(int pid);

// True while that very process runs (a zombie counts as gone: its workload has ended).
[[nodiscard]] bool process_alive(int pid, uint64_t start_time);

}  // namespace cw::krun
