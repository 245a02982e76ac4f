#include "devices/legacy/i8042.h"

#include <doctest/doctest.h>

#include <array>

using cw::devices::I8042;

namespace {

constexpr uint8_t kCmdSelfTest = 0xaa;
constexpr uint8_t kCmdWriteOutputPort = 0xd1;

struct Controller {
    int resets = 0;
    I8042 dev{[this] { ++resets; }};

    void out(uint64_t offset, uint8_t value) { dev.write(offset, std::span<const uint8_t>(&value, 1)); }
    uint8_t in(uint64_t offset) {
        uint8_t v = 0xee;
        dev.read(offset, std::span(&v, 1));
        return v;
    }
};

}  // namespace

TEST_CASE("0xFE on the command port calls the reset callback") {
    Controller c;
    c.out(I8042::kCommandOffset, I8042::kCmdPulseResetLine);
    CHECK(c.resets == 1);
}

TEST_CASE("other commands on the command port do not reset") {
    Controller c;
    c.out(I8042::kCommandOffset, kCmdSelfTest);
    c.out(I8042::kCommandOffset, kCmdWriteOutputPort);
    CHECK(c.resets == 0);
}

TEST_CASE("0xFE on the data port does not reset") {
    Controller c;
    c.out(I8042::kDataOffset, I8042::kCmdPulseResetLine);
    CHECK(c.resets == 0);
}

TEST_CASE("status reads 0: input buffer empty, so kb_wait() proceeds") {
    Controller c;
    CHECK(c.in(I8042::kCommandOffset) == 0);
}

TEST_CASE("data reads 0") {
    Controller c;
    CHECK(c.in(I8042::kDataOffset) == 0);
}

TEST_CASE("a 2-byte write at offset 3 puts its second byte on the command port") {
    Controller c;
    const std::array<uint8_t, 2> bytes{0x00, I8042::kCmdPulseResetLine};
    c.dev.write(3, bytes);
    CHECK(c.resets == 1);
}

TEST_CASE("a write past the command port is ignored") {
    Controller c;
    c.out(I8042::kSize, I8042::kCmdPulseResetLine);
    c.out(UINT64_MAX, I8042::kCmdPulseResetLine);
    CHECK(c.resets == 0);
}
