#include "cwrun/guest_args.h"

#include <doctest/doctest.h>

namespace cw::cwrun {

TEST_CASE("guest arguments: appended after --, quoted where the kernel would split them") {
    CHECK(guest_args_cmdline({}).value().empty());
    CHECK(guest_args_cmdline({"-x", "--y", "A=b"}).value() == " -- -x --y A=b");
    CHECK(guest_args_cmdline({"hello world", "a\tb"}).value() == " -- \"hello world\" \"a\tb\"");
    // 0xA0 is a space to the kernel's Latin-1 ctype: UTF-8 "à" (C3 A0) must be quoted.
    CHECK(guest_args_cmdline({"voil\xc3\xa0"}).value() == " -- \"voil\xc3\xa0\"");
    CHECK(guest_args_cmdline({"caf\xc3\xa9"}).value() == " -- caf\xc3\xa9");
    CHECK(guest_args_cmdline(std::vector<std::string>(kMaxGuestArgs, "a")).ok());
}

TEST_CASE("guest arguments: what the kernel command line cannot carry is refused in one line") {
    struct Case {
        std::vector<std::string> args;
        const char* message;
    };
    const Case cases[] = {
        {{"ok", "say \"hi\""}, "argument 2 after -- \"say \"hi\"\" contains '\"'"},
        {{"a\nb"}, "argument 1 after -- \"a?b\" contains a control character"},
        {{"a\rb"}, "control character"},
        {{"\x7f"}, "control character"},
        {{""}, "argument 1 after -- is empty"},
        {{"x", "--"}, "argument 2 after -- is '--': the kernel ends the init arguments there"},
        {std::vector<std::string>(kMaxGuestArgs + 1, "a"), "32 arguments after --: the kernel passes at most 31"},
    };
    for (const auto& c : cases) {
        auto r = guest_args_cmdline(c.args);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(r.error().message().find(c.message) != std::string::npos, r.error().message());
        CHECK(r.error().message().find('\n') == std::string::npos);
    }
}

}  // namespace cw::cwrun
