// The smallest i8042 keyboard controller that lets a Linux guest reset the machine: the
// VMM's "guest asked to stop". With reboot=k, Linux waits in kb_wait() for status bit 1
// (input buffer full) to clear, then writes 0xFE ("pulse output port bit 0", the reset
// line) to the command port, up to ten times.
//
// One device of 5 bytes at ports 0x60..0x64: offset 0 is the data port, offset 4 the
// command/status port. Every read returns 0 (status: no data, input buffer empty; data:
// nothing). Only 0xFE on the command port does anything; other commands and all data
// writes are ignored, so Linux's i8042 driver finds no working controller (the command
// line also carries i8042.noaux/nomux/dumbkbd). Offsets 1..3 read 0 and ignore writes
// (port 0x61, system control port B, is served by KVM's in-kernel PIT before any exit).
//
// Wider accesses split into bytes at consecutive offsets (byte_lanes.h). Stateless, so no
// lock; the reset callback runs on the writing vCPU's thread, possibly on several at once
// and more than once per reset, so it must be thread-safe and idempotent.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "vmm/bus/bus_device.h"

namespace cw::devices {

class I8042 final : public vmm::BusDevice {
public:
    using ResetCallback = std::function<void()>;

    static constexpr uint64_t kDataOffset = 0;     // port 0x60
    static constexpr uint64_t kCommandOffset = 4;  // port 0x64: command (write), status (read)
    static constexpr uint64_t kSize = 5;
    // "Pulse output port": bits 0-3 select the lines to pulse low; bit 0 is CPU reset.
    static constexpr uint8_t kCmdPulseResetLine = 0xfe;

    explicit I8042(ResetCallback on_reset);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

private:
    const ResetCallback m_on_reset;
};

}  // namespace cw::devices
