// Ending the VM (docs/guest-abi.md): the status byte to port 0x600, then reboot, which
// with reboot=k stops the VMM. Never returns.
#pragma once

namespace cw::guest {

[[noreturn]] void power_off(int status);

}  // namespace cw::guest
