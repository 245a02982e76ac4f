#include "devices/legacy/exit_port.h"

#include <algorithm>
#include <utility>

#include "devices/legacy/byte_lanes.h"

namespace cw::devices {

ExitPort::ExitPort(StatusCallback on_status) : m_on_status(std::move(on_status)) {}

void ExitPort::read(uint64_t, std::span<uint8_t> data) {
    std::fill(data.begin(), data.end(), uint8_t{0});
}

void ExitPort::write(uint64_t offset, std::span<const uint8_t> data) {
    for (size_t i = 0; i < data.size(); ++i) {
        if (!byte_lane(offset, i, kSize))
            continue;
        m_status.store(data[i], std::memory_order_release);
        if (m_on_status)
            m_on_status(data[i]);
    }
}

std::optional<uint8_t> ExitPort::status() const {
    const int status = m_status.load(std::memory_order_acquire);
    if (status == kNoStatus)
        return std::nullopt;
    return static_cast<uint8_t>(status);
}

}  // namespace cw::devices
