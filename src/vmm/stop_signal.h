// How a running VM comes to an end. Any thread (a vCPU seeing a reset, a device, the main
// thread on SIGTERM) may request a stop; the first request wins and wakes the main thread
// through an eventfd.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::vmm {

struct StopReason {
    enum class Kind {
        GuestReset,   // i8042 reset line or triple fault: how our guests power off (reboot=k)
        HostSignal,   // SIGTERM/SIGINT/SIGHUP to the VMM
        Fault,        // KVM or the VMM could not continue
    };
    Kind kind;
    int signal = 0;
    std::string message;
};

class StopSignal {
public:
    static Result<StopSignal> create();
    StopSignal(StopSignal&& other) noexcept : m_event(std::move(other.m_event)) {}

    void request(StopReason reason);
    [[nodiscard]] bool requested() const { return m_requested.load(std::memory_order_acquire); }
    [[nodiscard]] std::optional<StopReason> reason() const;
    // Readable once a stop was requested.
    [[nodiscard]] int fd() const { return m_event.get(); }

private:
    explicit StopSignal(UniqueFd event) : m_event(std::move(event)) {}
    UniqueFd m_event;
    std::atomic<bool> m_requested = false;
    mutable std::mutex m_mutex;
    // Not std::optional<StopReason>: GCC 12 reports a false -Wmaybe-uninitialized for it
    // in sanitizer builds. m_requested says whether m_reason is meaningful.
    StopReason m_reason{StopReason::Kind::Fault, 0, ""};
};

}  // namespace cw::vmm
