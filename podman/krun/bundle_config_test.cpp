#include <doctest/doctest.h>

#include "bundle_config.h"

using cw::krun::parse_bundle_config;

TEST_CASE("bundle config: the fields krun reads, from Podman's config.json") {
    auto config = parse_bundle_config(R"({"ociVersion":"1.0.2-dev",
        "process":{"terminal":true,"user":{"uid":0,"gid":0,"umask":18},"args":["/entrypoint"],
                   "env":["PATH=/bin","TERM=xterm"],"cwd":"/"},
        "root":{"path":"/var/lib/containers/storage/overlay/L/merged"},
        "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid"]}],
        "annotations":{"io.container.manager":"libpod","krun.sim-key":"/k"},
        "linux":{"cgroupsPath":"/libpod_parent/libpod-x","namespaces":[{"type":"pid"}]}})",
                                      "/bundle");
    REQUIRE(config.ok());
    CHECK(config->root_path == "/var/lib/containers/storage/overlay/L/merged");
    CHECK(config->args == std::vector<std::string>{"/entrypoint"});
    CHECK(config->env.size() == 2);
    CHECK(config->terminal);
    CHECK(config->mounts.at(0).destination == "/proc");
    CHECK(config->annotations.at("krun.sim-key") == "/k");
    CHECK(config->cgroups_path == "/libpod_parent/libpod-x");
}

TEST_CASE("bundle config: a relative root is the bundle's") {
    auto config = parse_bundle_config(R"({"process":{"args":["/entrypoint"]},"root":{"path":"rootfs"}})", "/b");
    REQUIRE(config.ok());
    CHECK(config->root_path == "/b/rootfs");
    CHECK(config->cwd == "/");
}

TEST_CASE("bundle config: hostile or broken input is one line naming the field") {
    auto error = [](const char* text) { return parse_bundle_config(text, "/b").error().message(); };
    CHECK(error("[1]").find("not a JSON object") != std::string::npos);
    CHECK(error("{").find("not a JSON object") != std::string::npos);
    CHECK(error(R"({"process":{"args":["/e"]}})").find("root is missing") != std::string::npos);
    CHECK(error(R"({"root":{"path":""},"process":{"args":["/e"]}})").find("root.path is empty") != std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":[]}})").find("process.args is empty") != std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":[1]}})").find("process.args") != std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":["/e"],"user":{"uid":-1}}})").find("process.user.uid") !=
          std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":["/e"],"user":{"uid":4294967296}}})")
              .find("out of range") != std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":["/e"]},"annotations":{"a":1}})")
              .find("annotation 'a'") != std::string::npos);
    CHECK(error(R"({"root":{"path":"r"},"process":{"args":["/e"]},"mounts":[{"type":"bind"}]})")
              .find("mounts[].destination") != std::string::npos);
    std::string huge(cw::krun::kMaxConfigBytes + 1, ' ');
    CHECK(parse_bundle_config(huge, "/b").error().message().find("larger than 4 MiB") != std::string::npos);
}
