// Strict base64: RFC 4648 test vectors, and every non-canonical or malformed form refused.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/base64.h"

namespace cw::attest::protocol {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST_CASE("base64 RFC 4648 section 10 vectors round-trip") {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, encoded] : vectors) {
        CHECK(base64_encode(bytes_of(plain)) == encoded);
        auto decoded = base64_decode(encoded, 100);
        REQUIRE_MESSAGE(decoded.ok(), decoded.error().message());
        CHECK(*decoded == bytes_of(plain));
    }
}

TEST_CASE("base64 round-trips every byte value and every length up to 70") {
    std::vector<uint8_t> all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<uint8_t>(i));
    CHECK(base64_decode(base64_encode(all), 256).value() == all);
    CHECK(base64_encode(std::vector<uint8_t>{0xFB, 0xFF}) == "+/8=");  // the standard alphabet's 62, 63
    for (size_t n = 0; n <= 70; ++n) {
        std::vector<uint8_t> v(all.begin(), all.begin() + static_cast<long>(n));
        auto back = base64_decode(base64_encode(v), n);
        REQUIRE(back.ok());
        CHECK(*back == v);
    }
}

TEST_CASE("base64_decode refuses malformed text with a reason") {
    struct Case {
        std::string_view text;
        std::string_view error;
    };
    const Case cases[] = {
        {"Zg", "bad base64: length 2 is not a multiple of 4"},
        {"Zm9vY", "bad base64: length 5 is not a multiple of 4"},
        {"Zg=", "bad base64: length 3 is not a multiple of 4"},
        {"Zg==\n", "bad base64: length 5 is not a multiple of 4"},
        {"Zm9 v", "bad base64: length 5 is not a multiple of 4"},
        {"Zm 9", "bad base64: character 0x20 at offset 2 is not in the standard alphabet"},
        {"Zm9\n", "bad base64: character 0xa at offset 3 is not in the standard alphabet"},
        {"Zm9-", "bad base64: character 0x2d at offset 3 is not in the standard alphabet"},  // base64url
        {"Zm9_", "bad base64: character 0x5f at offset 3 is not in the standard alphabet"},
        {"Zm9\xC3", "bad base64: character 0xc3 at offset 3 is not in the standard alphabet"},
        {std::string_view("Zm9\0", 4), "bad base64: character 0x0 at offset 3 is not in the standard alphabet"},
        {"====", "bad base64: '=' at offset 0 before the end"},
        {"Z===", "bad base64: '=' at offset 1 before the end"},
        {"Zg==Zm9v", "bad base64: '=' at offset 2 before the end"},
        {"Zm=v", "bad base64: '=' at offset 2 before the end"},
        // Non-zero bits after the last byte: "Zh==" and "Zm9=" decode to the same bytes as
        // "Zg==" / "Zm8=" in lax decoders.
        {"Zh==", "bad base64: non-zero bits after the last byte (non-canonical encoding)"},
        {"Zm9=", "bad base64: non-zero bits after the last byte (non-canonical encoding)"},
        {"Zm9vYm/=", "bad base64: non-zero bits after the last byte (non-canonical encoding)"},
    };
    for (const Case& c : cases) {
        auto decoded = base64_decode(c.text, 100);
        REQUIRE_FALSE_MESSAGE(decoded.ok(), c.text);
        CHECK(decoded.error().message() == c.error);
    }
}

TEST_CASE("base64_decode enforces the size limit before decoding") {
    CHECK(base64_decode("Zm9vYmFy", 6).ok());
    auto over = base64_decode("Zm9vYmFy", 5);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().message() == "decodes to 6 bytes, more than the limit of 5");
    CHECK(base64_decode("Zm9vYg==", 4).ok());
    CHECK_FALSE(base64_decode("Zm9vYg==", 3).ok());
    CHECK(base64_decode("", 0).ok());
}

}  // namespace
}  // namespace cw::attest::protocol
