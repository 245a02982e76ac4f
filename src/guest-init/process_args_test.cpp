#include "guest-init/process_args.h"

#include <doctest/doctest.h>

using namespace cw::guest;
using Strings = std::vector<std::string>;

TEST_CASE("argv is entrypoint + cmd; arguments replace cmd and keep the entrypoint") {
    ProcessPlan plan;
    plan.entrypoint = {"/bin/app", "--flag"};
    plan.cmd = {"default"};
    CHECK(workload_argv(plan).value() == Strings{"/bin/app", "--flag", "default"});
    plan.override_args = Strings{"a", "b"};
    CHECK(workload_argv(plan).value() == Strings{"/bin/app", "--flag", "a", "b"});
    plan.override_args = Strings{};
    CHECK(workload_argv(plan).value() == Strings{"/bin/app", "--flag"});
}

TEST_CASE("without an entrypoint the arguments are the whole command") {
    ProcessPlan plan;
    plan.cmd = {"sh"};
    plan.override_args = Strings{"echo", "hi"};
    CHECK(workload_argv(plan).value() == Strings{"echo", "hi"});
}

TEST_CASE("no command at all is an error") {
    ProcessPlan plan;
    CHECK_FALSE(workload_argv(plan).ok());
    plan.cmd = {""};
    CHECK_FALSE(workload_argv(plan).ok());
}

TEST_CASE("env gets PATH, HOME, HOSTNAME and TERM defaults only when missing") {
    ProcessPlan plan;
    plan.env = {"PATH=/custom", "A=b=c"};
    auto env = workload_env(plan, "/home/app", "box");
    REQUIRE(env.ok());
    CHECK(*env == Strings{"PATH=/custom", "A=b=c", "HOME=/home/app", "HOSTNAME=box", "TERM=xterm"});
}

TEST_CASE("malformed env entries are refused") {
    ProcessPlan plan;
    plan.env = {"NOEQUALS"};
    CHECK_FALSE(workload_env(plan, "/", "").ok());
    plan.env = {"=value"};
    CHECK_FALSE(workload_env(plan, "/", "").ok());
}
