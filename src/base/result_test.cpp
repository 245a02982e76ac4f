#include "base/result.h"

#include <doctest/doctest.h>

namespace {

cw::Result<int> parse_positive(int v) {
    if (v <= 0)
        return cw::Error::msg("value must be positive");
    return v;
}

cw::Result<int> doubled(int v) {
    int x = CW_TRY(parse_positive(v));
    return 2 * x;
}

cw::Result<void> check(int v) {
    CW_TRY(parse_positive(v));
    return {};
}

}  // namespace

TEST_CASE("Result carries a value") {
    auto r = doubled(21);
    REQUIRE(r.ok());
    CHECK(r.value() == 42);
}

TEST_CASE("CW_TRY propagates the first error unchanged") {
    auto r = doubled(-1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "value must be positive");
}

TEST_CASE("Result<void> reports success and failure") {
    CHECK(check(1).ok());
    CHECK_FALSE(check(0).ok());
}

TEST_CASE("Error::sys appends strerror and context prefixes the step") {
    auto e = cw::Error::sys("KVM_CREATE_VM", ENOENT).context("creating VM");
    CHECK(e.to_string() == "creating VM: KVM_CREATE_VM: No such file or directory");
    CHECK(e.sys_errno() == ENOENT);
}
