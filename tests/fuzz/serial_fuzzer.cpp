// libFuzzer target for the 16550A UART: every register access the guest can make and all
// host input reach it, so any sequence must leave it consistent and stay inside the
// caller's buffers.
//
// The input is a sequence of operations, each starting with an op byte:
//   op % 4 == 0  read:   offset byte, size byte           -> read of 1..8 bytes
//   op % 4 == 1  write:  offset byte, size byte, values   -> write of 1..8 bytes
//   op % 4 == 2  input:  length byte, bytes               -> enqueue_input of 0..95 bytes
//   op % 4 == 3  flush
// Offset bytes below 0xf0 map to 0..15 (the registers and just past them), the rest to
// the top of the 64-bit range, where offset + size would wrap.
// Checked: buffers are untouched outside the access, IIR bits 4-5 are 0 and bits 6-7 are
// 00 or 11, LSR always shows the transmitter empty, the sink never gets an empty or
// oversized chunk.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "devices/legacy/serial_8250.h"
#include "devices/legacy/serial_8250_regs.h"

namespace {

using cw::devices::Serial8250;
namespace uart = cw::devices::uart;

constexpr uint8_t kGuard = 0xcc;
constexpr size_t kMaxAccess = 8;
constexpr size_t kMaxInput = 96;

class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data, size) {}
    [[nodiscard]] bool empty() const { return m_pos >= m_data.size(); }
    uint8_t next() { return empty() ? 0 : m_data[m_pos++]; }
    std::span<const uint8_t> take(size_t n) {
        n = std::min(n, m_data.size() - m_pos);  // m_pos never passes the end
        auto s = m_data.subspan(m_pos, n);
        m_pos += n;
        return s;
    }

private:
    std::span<const uint8_t> m_data;
    size_t m_pos = 0;
};

uint64_t decode_offset(uint8_t b) {
    return b < 0xf0 ? b % 16U : UINT64_MAX - (b & 0x0fU);
}

void check(bool ok) {
    if (!ok)
        std::abort();
}

void check_sink_chunk(std::span<const uint8_t> chunk) {
    check(!chunk.empty() && chunk.size() <= Serial8250::kOutputBufferSize);
}

void fuzz_read(Serial8250& dev, Input& in) {
    const uint64_t offset = decode_offset(in.next());
    const size_t size = 1 + in.next() % kMaxAccess;
    std::array<uint8_t, kMaxAccess + 2> buf{};
    buf.fill(kGuard);
    dev.read(offset, std::span(buf.data() + 1, size));
    check(buf[0] == kGuard && buf[size + 1] == kGuard);
    if (size == 1 && offset == uart::kIir) {
        const uint8_t fifo_bits = buf[1] & uart::kIirFifosEnabled;
        check((buf[1] & 0x30) == 0 && (fifo_bits == 0 || fifo_bits == uart::kIirFifosEnabled));
    }
    if (size == 1 && offset == uart::kLsr)
        check((buf[1] & (uart::kLsrThre | uart::kLsrTemt)) == (uart::kLsrThre | uart::kLsrTemt));
}

void fuzz_write(Serial8250& dev, Input& in) {
    const uint64_t offset = decode_offset(in.next());
    const size_t size = 1 + in.next() % kMaxAccess;
    std::array<uint8_t, kMaxAccess> buf{};
    for (size_t i = 0; i < size; ++i)
        buf[i] = in.next();
    dev.write(offset, std::span<const uint8_t>(buf.data(), size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Serial8250 dev(check_sink_chunk, [] {});
    Input in(data, size);
    while (!in.empty()) {
        switch (in.next() % 4) {
        case 0:
            fuzz_read(dev, in);
            break;
        case 1:
            fuzz_write(dev, in);
            break;
        case 2:
            dev.enqueue_input(in.take(in.next() % kMaxInput));
            break;
        default:
            dev.flush();
            break;
        }
    }
    dev.flush();
    return 0;
}
