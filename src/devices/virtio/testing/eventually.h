// Waiting, bounded, for what a device's worker thread does asynchronously. A device
// publishes a used element before it raises the interrupt, so a test that saw the used
// element must still wait for the interrupt (a bare check raced: the ASan build lost it).
#pragma once

#include <chrono>
#include <thread>

namespace cw::devices::virtio::test {

inline constexpr std::chrono::seconds kEventuallyLimit{5};

// Whether `pred` holds within kEventuallyLimit, polled every millisecond.
template <typename Pred>
bool eventually(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + kEventuallyLimit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pred();
}

}  // namespace cw::devices::virtio::test
