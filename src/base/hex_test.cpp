#include "base/hex.h"

#include <doctest/doctest.h>

#include <array>

TEST_CASE("hex formats addresses with a 0x prefix") {
    CHECK(cw::hex(0) == "0x0");
    CHECK(cw::hex(0x1f000) == "0x1f000");
    CHECK(cw::hex(UINT64_MAX) == "0xffffffffffffffff");
}

TEST_CASE("bytes encode in either case and decode back") {
    std::array<uint8_t, 3> bytes{0x00, 0xab, 0x7f};
    CHECK(cw::to_hex_lower(bytes) == "00ab7f");
    CHECK(cw::to_hex_upper(bytes) == "00AB7F");
    auto back = cw::from_hex("00Ab7f");
    REQUIRE(back.has_value());
    CHECK(*back == std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

TEST_CASE("from_hex refuses odd lengths and non-hex characters") {
    CHECK_FALSE(cw::from_hex("abc").has_value());
    CHECK_FALSE(cw::from_hex("0g").has_value());
}
