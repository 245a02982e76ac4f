#include "guest-init/process_runner.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace cw::guest;

namespace {

ProcessSpec shell(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", script};
    spec.env = {"PATH=/usr/bin:/bin"};
    return spec;
}

std::string temp_dir() {
    char tmpl[] = "/tmp/cw-ginit-test-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    REQUIRE(dir != nullptr);
    return dir;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("run_workload returns the exit code") {
    auto status = run_workload(shell("exit 7"));
    REQUIRE(status.ok());
    CHECK(*status == 7);
    CHECK(run_workload(shell("true")).value() == 0);
}

TEST_CASE("run_workload returns 128 + signal for a killed workload") {
    CHECK(run_workload(shell("kill -KILL $$")).value() == 128 + SIGKILL);
}

TEST_CASE("SIGTERM is forwarded: an uncatching workload ends with 143") {
    RunOptions options;
    options.on_started = [](pid_t) { kill(getpid(), SIGTERM); };  // to us: we forward it
    RunStats stats;
    auto status = run_workload(shell("exec sleep 5"), options, &stats);
    REQUIRE(status.ok());
    CHECK(*status == 128 + SIGTERM);
    CHECK(stats.signals_forwarded == 1);
}

TEST_CASE("a workload that catches SIGTERM cleans up and exits 0") {
    std::string dir = temp_dir();
    RunOptions options;
    std::string ready = dir + "/ready";
    options.on_started = [&](pid_t) {
        // Wait until the trap is installed before signalling.
        for (int i = 0; i < 500 && access(ready.c_str(), F_OK) != 0; ++i)
            usleep(10000);
        kill(getpid(), SIGTERM);
    };
    auto status = run_workload(
        shell("trap 'echo cleaned > " + dir + "/out; exit 0' TERM; touch " + ready + "; while :; do sleep 0.05; done"),
        options);
    REQUIRE(status.ok());
    CHECK(*status == 0);
    CHECK(slurp(dir + "/out") == "cleaned\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("SIGINT and SIGHUP are forwarded too") {
    for (int sig : {SIGINT, SIGHUP}) {
        RunOptions options;
        options.on_started = [sig](pid_t) { kill(getpid(), sig); };
        CHECK(run_workload(shell("exec sleep 5"), options).value() == 128 + sig);
    }
}

TEST_CASE("orphans reparented to the subreaper are reaped") {
    RunOptions options;
    options.subreaper = true;
    RunStats stats;
    // The subshell exits at once, leaving its background child to us; it exits before the workload.
    auto status = run_workload(shell("( sleep 0.1 & ); sleep 0.6; exit 3"), options, &stats);
    REQUIRE(status.ok());
    CHECK(*status == 3);
    CHECK(stats.orphans_reaped >= 1);
    CHECK(waitpid(-1, nullptr, WNOHANG) == -1);  // no child left, zombie or not
}

TEST_CASE("argv, env and working directory reach the workload") {
    std::string dir = temp_dir();
    ProcessSpec spec = shell("printf '%s|%s|%s|%s' \"$0\" \"$1\" \"$GREETING\" \"$(pwd)\" > out");
    spec.argv.push_back("first");
    spec.argv.push_back("second arg");
    spec.env.push_back("GREETING=hello world");
    spec.working_dir = dir;
    REQUIRE(run_workload(spec).value() == 0);
    CHECK(slurp(dir + "/out") == "first|second arg|hello world|" + dir);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the command is looked up in the workload's PATH, not guest-init's") {
    std::string dir = temp_dir();
    std::ofstream(dir + "/only-here") << "#!/bin/sh\nexit 42\n";
    chmod((dir + "/only-here").c_str(), 0755);
    ProcessSpec spec;
    spec.argv = {"only-here"};
    spec.env = {"PATH=/nonexistent:" + dir};
    CHECK(run_workload(spec).value() == 42);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing command is an exec error with ENOENT, and nothing runs") {
    ProcessSpec spec;
    spec.argv = {"no-such-command-cw"};
    spec.env = {"PATH=/usr/bin:/bin"};
    auto status = run_workload(spec);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().sys_errno() == ENOENT);
    CHECK(status.error().message() == "workload: exec no-such-command-cw");
}

TEST_CASE("a non-executable command is EACCES") {
    std::string dir = temp_dir();
    std::ofstream(dir + "/not-exec") << "#!/bin/sh\n";
    ProcessSpec spec;
    spec.argv = {dir + "/not-exec"};
    auto status = run_workload(spec);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().sys_errno() == EACCES);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing working directory is refused before exec") {
    ProcessSpec spec = shell("exit 0");
    spec.working_dir = "/nonexistent-cw-dir";
    auto status = run_workload(spec);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message() == "workload: chdir to the working directory /nonexistent-cw-dir");
}

TEST_CASE("changing to another user without privilege fails at setgroups/setresgid") {
    if (geteuid() == 0)
        return;  // as root it would succeed; the guest runs as root
    ProcessSpec spec = shell("exit 0");
    spec.change_user = true;
    spec.uid = 12345;
    spec.gid = 12345;
    auto status = run_workload(spec);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().sys_errno() == EPERM);
}
