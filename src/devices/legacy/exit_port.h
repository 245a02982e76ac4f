// The guest->VMM exit-status port (docs/guest-abi.md, port 0x600): the guest init writes
// the workload's exit status (0..255) here, then reboots; the VMM exits with it.
//
// One byte register. A write stores its byte as the status (the last write wins) and then
// calls the callback. Wider writes split into bytes at consecutive offsets
// (byte_lanes.h), so only the first byte (the low byte of the value, x86 being
// little-endian) lands on the register and the rest is dropped. Reads return 0, as for
// any register without a read meaning (bus_device.h): the port is write-only.
//
// Thread-safe: the status is an atomic, stored before the callback runs, so a callback
// or another thread calling status() afterwards sees it. The callback runs on the writing
// vCPU's thread and may run concurrently for writes from several vCPUs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "vmm/bus/bus_device.h"

namespace cw::devices {

class ExitPort final : public vmm::BusDevice {
public:
    using StatusCallback = std::function<void(uint8_t status)>;

    static constexpr uint64_t kSize = 1;

    explicit ExitPort(StatusCallback on_status);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    // The last status the guest wrote, if any.
    [[nodiscard]] std::optional<uint8_t> status() const;

private:
    static constexpr int kNoStatus = -1;

    const StatusCallback m_on_status;
    std::atomic<int> m_status = kNoStatus;
};

}  // namespace cw::devices
