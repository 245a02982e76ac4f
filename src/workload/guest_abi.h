// vsock ports of the guest ABI (docs/guest-abi.md) that both the VMM and guest-init use.
// Header only: the VMM and the guest include it without linking each other's code.
#pragma once

#include <cstdint>

namespace cw::workload {

// Guest port where guest-init takes termination signals from the VMM (one byte, the
// signal number; answered with the same byte once the workload was signalled).
inline constexpr uint32_t kSignalRelayVsockPort = 1025;

}  // namespace cw::workload
