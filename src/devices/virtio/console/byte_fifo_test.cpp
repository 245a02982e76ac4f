#include "devices/virtio/console/byte_fifo.h"

#include <doctest/doctest.h>

#include <array>
#include <string>

namespace cw::devices::virtio {

namespace {
std::span<const uint8_t> bytes(const std::string& s) {
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string text(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }
}  // namespace

TEST_CASE("a byte FIFO keeps order and refuses bytes past its capacity") {
    ByteFifo fifo(8);
    CHECK(fifo.push(bytes("abcdef")) == 6);
    CHECK(fifo.push(bytes("ghij")) == 2);
    CHECK(fifo.free_space() == 0);
    CHECK(text(fifo.front()) == "abcdefgh");
    fifo.pop(5);
    CHECK(text(fifo.front()) == "fgh");
    CHECK(fifo.push(bytes("12345")) == 5);
    CHECK(text(fifo.front()) == "fgh12345");
    fifo.pop(8);
    CHECK(fifo.empty());
    CHECK(fifo.free_space() == 8);
}

}  // namespace cw::devices::virtio
