#include "layers/tree.h"

#include <doctest/doctest.h>

using namespace cw::oci;

namespace {

TarEntry file(const std::string& path, uint64_t index = 0) {
    TarEntry e;
    e.path = path;
    e.type = EntryType::regular;
    e.mode = 0644;
    e.index = index;
    return e;
}
TarEntry dir(const std::string& path) {
    TarEntry e = file(path);
    e.type = EntryType::directory;
    e.mode = 0755;
    return e;
}
TarEntry link(const std::string& path, EntryType type, const std::string& target) {
    TarEntry e = file(path);
    e.type = type;
    e.link = target;
    return e;
}
const Node* find(const Tree& t, const std::vector<std::string>& parts) {
    const Node* n = t.root.get();
    for (const auto& p : parts) {
        auto it = n->children.find(p);
        if (it == n->children.end())
            return nullptr;
        n = it->second.get();
    }
    return n;
}
std::string error_of(Tree& t, const std::vector<TarEntry>& entries) {
    auto r = apply_layer(t, entries, 1);
    return r.ok() ? "" : r.error().message();
}

}  // namespace

TEST_CASE("paths: leading slash stripped, dot dropped, dot-dot refused") {
    auto parts = split_path("/a/./b//c");
    CHECK(parts.value() == std::vector<std::string>{"a", "b", "c"});
    CHECK(split_path("./").value().empty());
    CHECK_FALSE(split_path("a/../b").ok());
}

TEST_CASE("whiteout removes a lower entry; opaque drops lower children") {
    Tree t;
    REQUIRE(apply_layer(t, {dir("d"), file("d/a"), file("d/b"), dir("o"), file("o/x")}, 0).ok());
    REQUIRE(apply_layer(t, {file("d/.wh.a"), file("o/.wh..wh..opq"), file("o/y")}, 1).ok());
    CHECK(find(t, {"d", "a"}) == nullptr);
    CHECK(find(t, {"d", "b"}) != nullptr);
    CHECK(find(t, {"o", "x"}) == nullptr);
    CHECK(find(t, {"o", "y"}) != nullptr);
}

TEST_CASE("whiteout does not hide an entry of its own layer") {
    Tree t;
    REQUIRE(apply_layer(t, {file("a")}, 0).ok());
    REQUIRE(apply_layer(t, {file("a", 1), file(".wh.a")}, 1).ok());
    REQUIRE(find(t, {"a"}) != nullptr);
    CHECK(find(t, {"a"})->content.layer == 1);
}

TEST_CASE("directories merge, later entries replace") {
    Tree t;
    REQUIRE(apply_layer(t, {dir("d"), file("d/a")}, 0).ok());
    TarEntry d2 = dir("d");
    d2.mode = 0700;
    REQUIRE(apply_layer(t, {d2, file("d/b")}, 1).ok());
    CHECK(find(t, {"d"})->mode == 0700);
    CHECK(find(t, {"d", "a"}) != nullptr);
    REQUIRE(apply_layer(t, {file("d")}, 2).ok());
    CHECK(find(t, {"d"})->type == EntryType::regular);
}

TEST_CASE("hard links share the node, within a layer and to a lower layer") {
    Tree t;
    REQUIRE(apply_layer(t, {file("a"), link("b", EntryType::hardlink, "a")}, 0).ok());
    CHECK(find(t, {"a"}) == find(t, {"b"}));
    REQUIRE(apply_layer(t, {link("c", EntryType::hardlink, "/a")}, 1).ok());
    CHECK(find(t, {"c"}) == find(t, {"a"}));
}

TEST_CASE("hostile entries are refused, naming the entry") {
    Tree t;
    REQUIRE(apply_layer(t, {dir("d"), link("s", EntryType::symlink, "/etc")}, 0).ok());
    CHECK(error_of(t, {file("../x")}).find("entry \"../x\"") == 0);
    CHECK(error_of(t, {file("s/passwd")}).find("symlink") != std::string::npos);
    CHECK(error_of(t, {file("s/.wh.passwd")}).find("symlink") != std::string::npos);
    CHECK(error_of(t, {file("a/.wh.b/c")}).find("'/'") != std::string::npos);
    CHECK(error_of(t, {link("h", EntryType::hardlink, "missing")}).find("missing") != std::string::npos);
    CHECK(error_of(t, {link("h", EntryType::hardlink, "d")}).find("directory") != std::string::npos);
    CHECK(error_of(t, {link("h", EntryType::hardlink, "h")}).find("itself") != std::string::npos);
    CHECK(error_of(t, {file("x"), file("./x")}).find("duplicate") != std::string::npos);
    CHECK(error_of(t, {file(".wh..wh.plnk")}).find("unsupported") != std::string::npos);
    CHECK(error_of(t, {file("/")}).find("root") != std::string::npos);
}
