#include "guest-init/user_db.h"

#include <doctest/doctest.h>

#include <string>

using namespace cw::guest;

namespace {
const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "app:x:1000:1001:App User,,,:/home/app:/bin/sh\n"
    "nohome:x:1002:1002:::\n";
const char* kGroup =
    "root:x:0:\n"
    "app:x:1001:\n"
    "audio:x:29:app,daemon\n"
    "video:x:44:,app,\n"
    "staff:x:50:other\n";

ResolvedUser resolve(const char* spec) {
    auto users = parse_passwd(kPasswd);
    auto groups = parse_group(kGroup);
    REQUIRE(users.ok());
    REQUIRE(groups.ok());
    auto r = resolve_user(spec, *users, *groups);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return *r;
}

std::string error_of(const char* spec) {
    auto r = resolve_user(spec, parse_passwd(kPasswd).value(), parse_group(kGroup).value());
    REQUIRE_FALSE(r.ok());
    return r.error().message();
}

std::string passwd_error(const std::string& text) {
    auto r = parse_passwd(text);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
}
}  // namespace

TEST_CASE("passwd and group parse") {
    auto users = parse_passwd(kPasswd);
    REQUIRE(users.ok());
    REQUIRE(users->size() == 4);
    CHECK((*users)[2].name == "app");
    CHECK((*users)[2].uid == 1000);
    CHECK((*users)[2].gid == 1001);
    CHECK((*users)[2].home == "/home/app");
    CHECK((*users)[3].home == "/");
    auto groups = parse_group(kGroup);
    REQUIRE(groups.ok());
    CHECK((*groups)[3].members == std::vector<std::string>{"app"});
}

TEST_CASE("an empty user is root") {
    auto u = resolve("");
    CHECK(u.uid == 0);
    CHECK(u.gid == 0);
    CHECK(u.home == "/root");
}

TEST_CASE("a name resolves to its uid, primary gid, home and supplementary groups") {
    auto u = resolve("app");
    CHECK(u.uid == 1000);
    CHECK(u.gid == 1001);
    CHECK(u.home == "/home/app");
    CHECK(u.supplementary == std::vector<gid_t>{29, 44});
}

TEST_CASE("a numeric uid uses its passwd entry when there is one, else gid 0 and home /") {
    CHECK(resolve("1000").gid == 1001);
    auto u = resolve("4242");
    CHECK(u.uid == 4242);
    CHECK(u.gid == 0);
    CHECK(u.home == "/");
}

TEST_CASE("user:group forms") {
    CHECK(resolve("app:audio").gid == 29);
    CHECK(resolve("app:7").gid == 7);
    CHECK(resolve("1000:audio").gid == 29);
    auto u = resolve("5:6");
    CHECK(u.uid == 5);
    CHECK(u.gid == 6);
    CHECK(resolve("app:audio").supplementary.empty());
}

TEST_CASE("unknown names and bad ids are refused") {
    CHECK(error_of("nobody-here") == "user \"nobody-here\" not found in /etc/passwd");
    CHECK(error_of("app:nogroup") == "group \"nogroup\" not found in /etc/group");
    CHECK(error_of("app:") == "user \"app:\": empty user or group");
    CHECK(error_of(":5") == "user \":5\": empty user or group");
    CHECK(error_of("4294967295") == "user: id 4294967295 out of range (0 to 4294967294)");
    CHECK(error_of("99999999999") == "user: \"99999999999\" is not a decimal id");
}

TEST_CASE("malformed passwd lines are refused with their line number") {
    CHECK(passwd_error("root:x:0:0:root:/root\n") == "passwd: line 1: 6 ':'-separated fields, expected 7");
    CHECK(passwd_error("ok:x:1:1::/:/bin/sh\nroot:x:0:0:r:/root:/bin/sh:extra\n") ==
          "passwd: line 2: more than 7 ':'-separated fields");
    CHECK(passwd_error("root:x:-1:0:r:/:/bin/sh\n") == "passwd: line 1: uid: \"-1\" is not a decimal id");
    CHECK(passwd_error("root:x:0:zero:r:/:/bin/sh\n") == "passwd: line 1: gid: \"zero\" is not a decimal id");
    CHECK(passwd_error("root:x::0:r:/:/bin/sh\n") == "passwd: line 1: uid: \"\" is not a decimal id");
    CHECK(passwd_error(":x:0:0:r:/:/bin/sh\n") == "passwd: line 1: user name of 0 characters (1 to 256)");
    CHECK(passwd_error("ro ot:x:0:0:r:/:/bin/sh\n") ==
          "passwd: line 1: user name with a character that is not printable ASCII");
    CHECK(passwd_error(std::string("root:x:0:0:r:/:/bin/sh\r\n")) == "passwd: line 1: a NUL or CR byte");
    CHECK(passwd_error(std::string("ro\0t:x:0:0:r:/:/bin/sh\n", 23)) == "passwd: line 1: a NUL or CR byte");
    CHECK(passwd_error(std::string(5000, 'a') + "\n") == "passwd: line 1: longer than 4096 bytes");
    CHECK(passwd_error(std::string(kMaxUserDbBytes + 1, '\n')).find("bytes (at most") != std::string::npos);
}

TEST_CASE("malformed group lines are refused") {
    auto r = parse_group("audio:x:29\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "group: line 1: 3 ':'-separated fields, expected 4");
    auto bad_member = parse_group("audio:x:29:a b\n");
    REQUIRE_FALSE(bad_member.ok());
    CHECK(bad_member.error().message() == "group: line 1: member name with a character that is not printable ASCII");
}

TEST_CASE("a last line without newline and an empty file parse") {
    auto users = parse_passwd("root:x:0:0::/root:/bin/sh");
    REQUIRE(users.ok());
    CHECK(users->size() == 1);
    CHECK(parse_passwd("").value().empty());
}

TEST_CASE("resolve_user_in_root reads the image's files; a missing file is an empty database") {
    auto numeric = resolve_user_in_root("12:34", "/nonexistent-root");
    REQUIRE(numeric.ok());
    CHECK(numeric->gid == 34);
    auto named = resolve_user_in_root("app", "/nonexistent-root");
    REQUIRE_FALSE(named.ok());
    CHECK(named.error().message() == "user \"app\" not found in /etc/passwd");
}
