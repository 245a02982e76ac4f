#include "devices/legacy/i8042.h"

#include <algorithm>
#include <utility>

#include "devices/legacy/byte_lanes.h"

namespace cw::devices {

I8042::I8042(ResetCallback on_reset) : m_on_reset(std::move(on_reset)) {}

void I8042::read(uint64_t, std::span<uint8_t> data) {
    // Status 0: output buffer empty (nothing to read), input buffer empty (ready for a
    // command), which is all kb_wait() asks before the reset.
    std::fill(data.begin(), data.end(), uint8_t{0});
}

void I8042::write(uint64_t offset, std::span<const uint8_t> data) {
    for (size_t i = 0; i < data.size(); ++i) {
        auto reg = byte_lane(offset, i, kSize);
        if (reg == kCommandOffset && data[i] == kCmdPulseResetLine && m_on_reset)
            m_on_reset();
    }
}

}  // namespace cw::devices
