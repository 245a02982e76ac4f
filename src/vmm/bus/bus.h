// Address-range dispatch for port I/O or MMIO. Ranges are registered while the VM is
// built and are immutable once vCPUs run, so lookups need no lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>

#include "base/result.h"
#include "vmm/bus/bus_device.h"

namespace cw::vmm {

class Bus {
public:
    // Refuses an empty range, a range that wraps, and any overlap with a registered range.
    [[nodiscard]] Result<void> insert(std::shared_ptr<BusDevice> device, uint64_t base, uint64_t length);

    // Dispatch an access to the device whose range holds `address`; false when no device
    // does (the caller decides what an unclaimed access means). An access may straddle the
    // end of a device's range: the device gets the offset and the full size and must cope.
    bool read(uint64_t address, std::span<uint8_t> data) const;
    bool write(uint64_t address, std::span<const uint8_t> data) const;

private:
    struct Range {
        uint64_t length;
        std::shared_ptr<BusDevice> device;
    };
    // Returns the device and the offset of `address` inside its range.
    [[nodiscard]] std::pair<BusDevice*, uint64_t> resolve(uint64_t address) const;

    std::map<uint64_t, Range> m_ranges;  // by base address
};

}  // namespace cw::vmm
