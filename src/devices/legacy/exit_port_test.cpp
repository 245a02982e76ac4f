#include "devices/legacy/exit_port.h"

#include <doctest/doctest.h>

#include <array>
#include <vector>

using cw::devices::ExitPort;

namespace {

struct Port {
    std::vector<uint8_t> reported;
    ExitPort dev{[this](uint8_t status) { reported.push_back(status); }};

    void out(uint8_t value) { dev.write(0, std::span<const uint8_t>(&value, 1)); }
};

}  // namespace

TEST_CASE("no status before the guest writes one") {
    Port p;
    CHECK_FALSE(p.dev.status().has_value());
}

TEST_CASE("a byte write stores the status") {
    Port p;
    p.out(42);
    CHECK(p.dev.status() == 42);
}

TEST_CASE("a byte write calls the callback with the status") {
    Port p;
    p.out(255);
    CHECK(p.reported == std::vector<uint8_t>{255});
}

TEST_CASE("the last write wins") {
    Port p;
    p.out(1);
    p.out(0);
    CHECK(p.dev.status() == 0);
}

TEST_CASE("a wider write takes its first (low) byte") {
    Port p;
    const std::array<uint8_t, 4> value{0x07, 0x01, 0x02, 0x03};
    p.dev.write(0, value);
    CHECK(p.dev.status() == 7);
    CHECK(p.reported.size() == 1);
}

TEST_CASE("a write at a non-zero offset is ignored") {
    Port p;
    const uint8_t value = 3;
    p.dev.write(1, std::span(&value, 1));
    CHECK_FALSE(p.dev.status().has_value());
    CHECK(p.reported.empty());
}

TEST_CASE("reads return 0") {
    Port p;
    p.out(9);
    std::array<uint8_t, 2> bytes{0xee, 0xee};
    p.dev.read(0, bytes);
    CHECK(bytes == std::array<uint8_t, 2>{0, 0});
}
