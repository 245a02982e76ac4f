#include "vmm/bus/bus.h"

#include <doctest/doctest.h>

#include <vector>

using cw::vmm::Bus;

namespace {

struct Recorder final : cw::vmm::BusDevice {
    std::vector<uint64_t> offsets;
    void read(uint64_t offset, std::span<uint8_t> data) override {
        offsets.push_back(offset);
        for (auto& b : data)
            b = 0x5a;
    }
    void write(uint64_t offset, std::span<const uint8_t>) override { offsets.push_back(offset); }
};

}  // namespace

TEST_CASE("an access reaches the device with the offset from its base") {
    Bus bus;
    auto dev = std::make_shared<Recorder>();
    REQUIRE(bus.insert(dev, 0x3f8, 8).ok());
    uint8_t b = 0;
    CHECK(bus.read(0x3fd, std::span(&b, 1)));
    CHECK(b == 0x5a);
    REQUIRE(dev->offsets.size() == 1);
    CHECK(dev->offsets[0] == 5);
}

TEST_CASE("addresses outside every range are not claimed") {
    Bus bus;
    REQUIRE(bus.insert(std::make_shared<Recorder>(), 0x100, 0x10).ok());
    uint8_t b = 0;
    CHECK_FALSE(bus.read(0xff, std::span(&b, 1)));
    CHECK_FALSE(bus.write(0x110, std::span<const uint8_t>(&b, 1)));
    CHECK(bus.read(0x10f, std::span(&b, 1)));
}

TEST_CASE("overlapping ranges are refused on either side") {
    Bus bus;
    REQUIRE(bus.insert(std::make_shared<Recorder>(), 0x100, 0x10).ok());
    CHECK_FALSE(bus.insert(std::make_shared<Recorder>(), 0x10f, 1).ok());
    CHECK_FALSE(bus.insert(std::make_shared<Recorder>(), 0xf0, 0x11).ok());
    CHECK_FALSE(bus.insert(std::make_shared<Recorder>(), 0x0, 0x1000).ok());
    CHECK(bus.insert(std::make_shared<Recorder>(), 0x110, 1).ok());
    CHECK(bus.insert(std::make_shared<Recorder>(), 0xf0, 0x10).ok());
}

TEST_CASE("empty and wrapping ranges are refused") {
    Bus bus;
    CHECK_FALSE(bus.insert(std::make_shared<Recorder>(), 0x100, 0).ok());
    CHECK_FALSE(bus.insert(std::make_shared<Recorder>(), UINT64_MAX, 2).ok());
    CHECK(bus.insert(std::make_shared<Recorder>(), UINT64_MAX, 1).ok());
}
