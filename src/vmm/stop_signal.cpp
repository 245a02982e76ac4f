#include "vmm/stop_signal.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace cw::vmm {

Result<StopSignal> StopSignal::create() {
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0)
        return Error::sys("eventfd for VM stop");
    return StopSignal(UniqueFd(fd));
}

void StopSignal::request(StopReason reason) {
    {
        std::lock_guard lock(m_mutex);
        if (m_requested.load(std::memory_order_relaxed))
            return;
        m_reason = std::move(reason);
        m_requested.store(true, std::memory_order_release);
    }
    uint64_t one = 1;
    // The eventfd counter cannot overflow from a single write; a failure leaves the flag set.
    [[maybe_unused]] auto n = ::write(m_event.get(), &one, sizeof one);
}

std::optional<StopReason> StopSignal::reason() const {
    std::lock_guard lock(m_mutex);
    if (!m_requested.load(std::memory_order_relaxed))
        return std::nullopt;
    return m_reason;
}

}  // namespace cw::vmm
