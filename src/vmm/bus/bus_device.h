// A device reachable through port I/O or MMIO. The Bus resolves an address to the device
// and passes the offset from the device's base, never the absolute address.
//
// Threading: every vCPU thread may call read/write concurrently; a device synchronises its
// own state. Accesses come straight from the guest: any offset inside the registered range
// and any size from 1 to 8 bytes are possible, and a device must answer all of them
// without crashing (reads of unknown registers return zeros, writes are ignored).
#pragma once

#include <cstdint>
#include <span>

namespace cw::vmm {

class BusDevice {
public:
    virtual ~BusDevice() = default;
    virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
    virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
};

}  // namespace cw::vmm
