#include <doctest/doctest.h>

#include "admission.h"

using cw::krun::admit;
using cw::krun::BundleConfig;

namespace {

// What `podman run IMAGE` gives a converted image.
BundleConfig podman_default() {
    BundleConfig c;
    c.root_path = "/merged";
    c.args = {"/entrypoint"};
    c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "container=podman",
             "HOSTNAME=e637b8f03c4b"};
    c.mounts = {{"/proc", "proc", "proc"}, {"/etc/hosts", "bind", "/run/x/hosts"}, {"/dev/shm", "bind", "/x/shm"}};
    return c;
}

}  // namespace

TEST_CASE("admission: podman run IMAGE, with or without a terminal, is admitted for every TEE") {
    for (const char* tee : {"none", "sim", "snp", "tdx"}) {
        auto config = podman_default();
        config.terminal = true;
        auto admitted = admit(config, tee);
        REQUIRE(admitted.ok());
        CHECK(admitted->guest_args.empty());
    }
}

TEST_CASE("admission: a command replaces cmd for tee none only") {
    auto config = podman_default();
    config.args = {"/entrypoint", "echo", "hi"};
    auto plain = admit(config, "none");
    REQUIRE(plain.ok());
    CHECK(plain->guest_args == std::vector<std::string>{"echo", "hi"});
    auto sim = admit(config, "sim");
    REQUIRE(!sim.ok());
    CHECK(sim.error().message().find("the command 'echo hi' is refused") != std::string::npos);
    CHECK(sim.error().message().find("tee sim") != std::string::npos);
}

TEST_CASE("admission: settings that would change the workload are refused, each by name") {
    auto refused = [](auto change, const char* tee = "sim") {
        auto config = podman_default();
        change(config);
        auto result = admit(config, tee);
        REQUIRE(!result.ok());
        return result.error().message();
    };
    CHECK(refused([](BundleConfig& c) { c.args = {"/bin/sh"}; }).find("--entrypoint /bin/sh") != std::string::npos);
    CHECK(refused([](BundleConfig& c) { c.env.push_back("SECRET=1"); }).find("--env SECRET") != std::string::npos);
    CHECK(refused([](BundleConfig& c) { c.env.push_back("SECRET=1"); }, "none").find("--env SECRET") !=
          std::string::npos);
    CHECK(refused([](BundleConfig& c) { c.uid = 1000; }).find("--user 1000:0") != std::string::npos);
    CHECK(refused([](BundleConfig& c) { c.cwd = "/tmp"; }).find("--workdir /tmp") != std::string::npos);
    CHECK(refused([](BundleConfig& c) { c.mounts.push_back({"/data", "bind", "/home"}); })
              .find("mount at /data") != std::string::npos);
    // Worded so that Podman does not take a refusal for a missing executable (its exit 127).
    auto message = refused([](BundleConfig& c) { c.args = {"/nonexistent"}; });
    CHECK(message.find("no such file") == std::string::npos);
    CHECK(message.find("not found") == std::string::npos);
}
