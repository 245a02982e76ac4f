// stderr lines about refused connections and failed targets, at most kBurst per second: a
// guest that connects in a loop must not flood the VMM's log.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace cw::devices::virtio {

class LogLimiter {
public:
    static constexpr int kBurst = 10;

    void log(const std::string& line) {
        std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        if (now - m_window_start >= std::chrono::seconds(1)) {
            if (m_suppressed > 0)
                std::fprintf(stderr, "vsock: %d messages suppressed\n", m_suppressed);
            m_window_start = now;
            m_lines = 0;
            m_suppressed = 0;
        }
        if (m_lines >= kBurst) {
            ++m_suppressed;
            return;
        }
        ++m_lines;
        std::fprintf(stderr, "vsock: %s\n", line.c_str());
    }

private:
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_window_start{};
    int m_lines = 0;
    int m_suppressed = 0;
};

}  // namespace cw::devices::virtio
