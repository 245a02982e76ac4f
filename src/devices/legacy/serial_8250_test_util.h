// Test fixture shared by the Serial8250 tests: a UART whose output and interrupts are
// recorded, with byte-wide port accessors.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "devices/legacy/serial_8250.h"
#include "devices/legacy/serial_8250_regs.h"

namespace cw::devices::test {

struct Uart {
    std::string output;
    int sink_calls = 0;
    int interrupts = 0;
    Serial8250 dev{[this](std::span<const uint8_t> b) {
                       output.append(b.begin(), b.end());
                       ++sink_calls;
                   },
                   [this] { ++interrupts; }};

    uint8_t in(uint64_t offset) {
        uint8_t v = 0xee;
        dev.read(offset, std::span(&v, 1));
        return v;
    }
    void out(uint64_t offset, uint8_t value) { dev.write(offset, std::span<const uint8_t>(&value, 1)); }
    void send(const std::string& s) {
        for (char c : s)
            out(uart::kThr, static_cast<uint8_t>(c));
    }
    void input(const std::string& s) {
        dev.enqueue_input(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
};

}  // namespace cw::devices::test
