#include <doctest/doctest.h>

#include "oci_cli.h"

using cw::krun::parse_invocation;
using cw::krun::Verb;

TEST_CASE("krun cli: conmon's create, with the JSON log and unknown global flags") {
    auto inv = parse_invocation({"--log-format=json", "--log", "/run/x/oci-log", "--systemd-cgroup", "--cgroup-manager",
                                 "disabled", "create", "--bundle", "/b", "--pid-file", "/r/pidfile", "--no-pivot",
                                 "--no-new-keyring", "--preserve-fds", "2", "--console-socket", "/tmp/s", "abc123"});
    REQUIRE(inv.ok());
    CHECK(inv->verb == Verb::Create);
    CHECK(inv->id == "abc123");
    CHECK(inv->global.log == "/run/x/oci-log");
    CHECK(inv->global.log_json);
    CHECK(inv->global.root == "/run/krun");
    CHECK(inv->create.bundle == "/b");
    CHECK(inv->create.pid_file == "/r/pidfile");
    CHECK(inv->create.console_socket == "/tmp/s");
    CHECK(inv->create.preserve_fds == 2);
    CHECK(inv->global.ignored.size() == 2);
}

TEST_CASE("krun cli: kill, delete, state, version, runtime flags") {
    auto kill = parse_invocation({"kill", "--all", "c", "9"});
    REQUIRE(kill.ok());
    CHECK(kill->signal == 9);
    CHECK(parse_invocation({"kill", "c"})->signal == 15);
    CHECK(parse_invocation({"kill", "c", "SIGHUP"})->signal == 1);
    CHECK(parse_invocation({"kill", "c", "kill"})->signal == 9);
    CHECK(parse_invocation({"delete", "--force", "c"})->force);
    CHECK(parse_invocation({"--root=/tmp/r", "state", "c"})->global.root == "/tmp/r");
    CHECK(parse_invocation({"--version"})->verb == Verb::Version);
    auto flags = parse_invocation({"--sim-key=/k.pem", "--attest-url", "https://h:1", "start", "c"});
    REQUIRE(flags.ok());
    CHECK(flags->global.sim_key == "/k.pem");
    CHECK(flags->global.attest_url == "https://h:1");
    CHECK(parse_invocation({"exec", "--pid-file", "/p", "--process", "/q", "--detach", "c"})->verb == Verb::Exec);
}

TEST_CASE("krun cli: refusals name what was wrong") {
    CHECK(parse_invocation({}).error().message().find("no command") != std::string::npos);
    CHECK(parse_invocation({"frobnicate", "c"}).error().message().find("unknown command 'frobnicate'") !=
          std::string::npos);
    CHECK(parse_invocation({"start"}).error().message().find("no container id") != std::string::npos);
    CHECK(parse_invocation({"start", "../etc"}).error().message().find("not valid") != std::string::npos);
    CHECK(parse_invocation({"start", "a/b"}).error().message().find("not valid") != std::string::npos);
    CHECK(parse_invocation({"start", ".."}).error().message().find("not valid") != std::string::npos);
    CHECK(parse_invocation({"start", "c", "d"}).error().message().find("unexpected argument 'd'") != std::string::npos);
    CHECK(parse_invocation({"create", "--bogus", "c"}).error().message().find("unknown option --bogus") !=
          std::string::npos);
    CHECK(parse_invocation({"create", "--pid-file"}).error().message().find("needs a value") != std::string::npos);
    CHECK(parse_invocation({"kill", "c", "99"}).error().message().find("out of range") != std::string::npos);
    CHECK(parse_invocation({"kill", "c", "SIGFOO"}).error().message().find("unknown signal") != std::string::npos);
    CHECK(parse_invocation({"create", "--preserve-fds", "x", "c"}).error().message().find("expected a number") !=
          std::string::npos);
}
