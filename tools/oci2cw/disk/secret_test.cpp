// --secret-fd's reader: exactly 32 raw bytes and end of file, nothing else.
#include "secret.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

namespace cw::disk {
namespace {

Result<Secret> read_through_pipe(const std::string& bytes) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    REQUIRE(::write(p[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(p[1]);
    auto r = read_secret_fd(p[0]);
    ::close(p[0]);
    return r;
}

TEST_CASE("secret: 32 raw bytes are read as they are") {
    std::string raw(32, '\0');
    for (size_t i = 0; i < raw.size(); ++i)
        raw[i] = static_cast<char>(i * 9);
    auto r = read_through_pipe(raw);
    REQUIRE(r.ok());
    CHECK(std::string(r.value().chars(), 32) == raw);
}

TEST_CASE("secret: short, long or hex-encoded secrets are refused") {
    auto shorter = read_through_pipe(std::string(31, 'a'));
    REQUIRE_FALSE(shorter.ok());
    CHECK(shorter.error().to_string().find("is 31 bytes, expected exactly 32 raw bytes") != std::string::npos);
    auto hex = read_through_pipe(std::string(64, 'a'));
    REQUIRE_FALSE(hex.ok());
    CHECK(hex.error().to_string().find("is longer than 32 bytes") != std::string::npos);
    auto bad_fd = read_secret_fd(-1);
    REQUIRE_FALSE(bad_fd.ok());
}

TEST_CASE("secret: generated secrets differ and wipe() zeroes") {
    auto a = generate_secret(), b = generate_secret();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(std::string(a.value().chars(), 32) != std::string(b.value().chars(), 32));
    a.value().wipe();
    CHECK(std::string(a.value().chars(), 32) == std::string(32, '\0'));
}

}  // namespace
}  // namespace cw::disk
