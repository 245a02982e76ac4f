// Passes a termination signal the VMM receives to the workload inside the guest, so that it
// can clean up (`podman stop`, Ctrl-C on a non-terminal stdin, SIGTERM to cwrun): the VMM
// connects to guest vsock port kSignalRelayVsockPort through the vsock device's Unix-socket
// listener and sends the signal number (one byte); guest-init answers one byte once it has
// signalled the workload (docs/guest-abi.md "Signals").
//
// Trust: the guest's answer only decides whether the VMM keeps running; a guest that never
// answers gets the old behaviour (the VM stops at once), and a second signal always stops it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "workload/guest_abi.h"

namespace cw::vmm {

using workload::kSignalRelayVsockPort;

class SignalRelay {
public:
    // A private directory (mode 0700) in $TMPDIR holding the listener socket's path.
    static Result<std::unique_ptr<SignalRelay>> create();
    ~SignalRelay();
    SignalRelay(const SignalRelay&) = delete;
    SignalRelay& operator=(const SignalRelay&) = delete;

    // Where the vsock device listens for host clients of guest port kSignalRelayVsockPort.
    [[nodiscard]] const std::string& socket_path() const { return m_socket; }

    // True when the guest acknowledged `signo` within `timeout`.
    [[nodiscard]] bool forward(int signo, std::chrono::milliseconds timeout) const;

private:
    SignalRelay(std::string dir, std::string socket) : m_dir(std::move(dir)), m_socket(std::move(socket)) {}
    std::string m_dir;
    std::string m_socket;
};

}  // namespace cw::vmm
