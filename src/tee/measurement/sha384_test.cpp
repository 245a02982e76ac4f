#include "tee/measurement/sha384.h"

#include <doctest/doctest.h>

#include <string_view>

#include "tee/measurement/test_vectors.h"

using cw::hex;
using cw::to_hex_lower;
using namespace cw::tee;
using namespace cw::tee::test;

namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

TEST_CASE("sha384 of \"abc\" is the FIPS 180-2 value") {
    auto d = sha384(bytes_of("abc"));
    REQUIRE_MESSAGE(d.ok(), error_of(d));
    CHECK(to_hex_lower(*d) == kSha384Abc);
}

TEST_CASE("sha384 of nothing is vector T0") {
    auto d = sha384({});
    REQUIRE(d.ok());
    CHECK(to_hex_lower(*d) == kT0);
}

TEST_CASE("a stream fed in pieces gives the one-shot hash") {
    auto stream = Sha384Stream::create();
    REQUIRE_MESSAGE(stream.ok(), error_of(stream));
    REQUIRE(stream->update(bytes_of("a")).ok());
    REQUIRE(stream->update(bytes_of("bc")).ok());
    CHECK(to_hex_lower(stream->digest().value()) == kSha384Abc);
}

TEST_CASE("reading a stream's digest does not end it") {
    auto stream = Sha384Stream::create();
    REQUIRE(stream.ok());
    REQUIRE(stream->update(bytes_of("ab")).ok());
    REQUIRE(stream->digest().ok());
    REQUIRE(stream->update(bytes_of("c")).ok());
    CHECK(to_hex_lower(stream->digest().value()) == kSha384Abc);
}

TEST_CASE("to_hex writes two lower-case digits per byte") {
    const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    CHECK(to_hex_lower(bytes) == "000fa5ff");
}

TEST_CASE("hex writes 0x and no leading zeros") {
    CHECK(hex(0) == "0x0");
    CHECK(hex(0x100000) == "0x100000");
    CHECK(hex(UINT64_MAX) == "0xffffffffffffffff");
}
