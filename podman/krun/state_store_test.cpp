#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "state_store.h"

using cw::krun::ContainerState;
using cw::krun::StateRoot;

namespace {

std::string temp_root() {
    char templ[] = "/tmp/krun-state-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    return std::string(templ) + "/run/krun";  // create makes the missing parents
}

}  // namespace

TEST_CASE("state store: create, write, read back, remove; ids are unique") {
    StateRoot root(temp_root());
    auto dir = root.create("c1");
    REQUIRE(dir.ok());
    ContainerState s;
    s.id = "c1";
    s.pid = 42;
    s.pid_start_time = 1234567;
    s.bundle = "/b";
    s.rootfs = "/b/rootfs";
    s.created = "2026-11-24T10:00:00Z";
    s.cgroups = {"/sys/fs/cgroup/x"};
    s.annotations = {{"k", "v\"\n"}};
    REQUIRE(dir->write_state(s).ok());
    auto back = dir->read_state();
    REQUIRE(back.ok());
    CHECK(back->pid == 42);
    CHECK(back->pid_start_time == 1234567);
    CHECK(back->annotations.at("k") == "v\"\n");
    CHECK(back->cgroups == s.cgroups);
    CHECK(root.create("c1").error().message().find("already exists") != std::string::npos);
    std::string path = dir->path();
    REQUIRE(::mkdir((path + "/cw-signal-x").c_str(), 0700) == 0);  // left by a killed VMM
    REQUIRE(dir->remove().ok());
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);
    auto gone = root.open("c1");
    REQUIRE(gone.ok());
    CHECK(!gone->has_value());
}

TEST_CASE("state store: whatever create writes reads back (annotations as large as config.json allows)") {
    StateRoot root(temp_root());
    auto dir = root.create("big");
    REQUIRE(dir.ok());
    ContainerState s;
    s.id = "big";
    for (int i = 0; i < 30; ++i)  // 3 MiB of annotations: within config.json's 4 MiB
        s.annotations["k" + std::to_string(i)] = std::string(100 * 1024, 'a');
    s.bundle = "/b\xff";  // not UTF-8: replaced, never an exception
    REQUIRE(dir->write_state(s).ok());
    auto back = dir->read_state();
    REQUIRE(back.ok());
    CHECK(back->annotations.size() == 30);
    REQUIRE(dir->remove().ok());
}

TEST_CASE("state store: a damaged state file is an error line") {
    CHECK(cw::krun::state_from_json("{").error().message() == "state.json is damaged");
    CHECK(cw::krun::state_from_json(R"({"id":1})").error().message() == "state.json is damaged");
}
