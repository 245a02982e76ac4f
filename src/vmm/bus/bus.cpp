#include "vmm/bus/bus.h"
#include "base/hex.h"

#include <cstdio>
#include <string>

namespace cw::vmm {

Result<void> Bus::insert(std::shared_ptr<BusDevice> device, uint64_t base, uint64_t length) {
    if (length == 0)
        return Error::msg("bus: empty range at " + hex(base));
    if (length - 1 > UINT64_MAX - base)
        return Error::msg("bus: range at " + hex(base) + " wraps");
    uint64_t last = base + (length - 1);
    // The first range starting after `base`, and the one before it, are the only candidates.
    auto next = m_ranges.upper_bound(base);
    if (next != m_ranges.end() && next->first <= last)
        return Error::msg("bus: range " + hex(base) + "+" + hex(length) + " overlaps " + hex(next->first));
    if (next != m_ranges.begin()) {
        auto prev = std::prev(next);
        if (prev->first + (prev->second.length - 1) >= base)
            return Error::msg("bus: range " + hex(base) + "+" + hex(length) + " overlaps " + hex(prev->first));
    }
    m_ranges.emplace(base, Range{length, std::move(device)});
    return {};
}

std::pair<BusDevice*, uint64_t> Bus::resolve(uint64_t address) const {
    auto it = m_ranges.upper_bound(address);
    if (it == m_ranges.begin())
        return {nullptr, 0};
    --it;
    uint64_t offset = address - it->first;
    if (offset >= it->second.length)
        return {nullptr, 0};
    return {it->second.device.get(), offset};
}

bool Bus::read(uint64_t address, std::span<uint8_t> data) const {
    auto [device, offset] = resolve(address);
    if (device == nullptr)
        return false;
    device->read(offset, data);
    return true;
}

bool Bus::write(uint64_t address, std::span<const uint8_t> data) const {
    auto [device, offset] = resolve(address);
    if (device == nullptr)
        return false;
    device->write(offset, data);
    return true;
}

}  // namespace cw::vmm
