// Runs the built cw-measure (path in CW_MEASURE, set by meson) on page lists written into
// a fresh temporary directory under TMPDIR, and checks what it prints and its exit status.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tee/measurement/test_vectors.h"

using namespace cw::tee::test;
namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string out;
    std::string err;
};

std::string read_text(const fs::path& path) {
    std::string text;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
        text.append(buf, n);
    std::fclose(f);
    return text;
}

void write_file(const fs::path& path, std::string_view text) {
    std::ofstream(path, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
    write_file(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// A temporary directory holding vector A's pages and lists, removed at the end.
class Workdir {
public:
    Workdir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cw-measure-test.XXXXXX";
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        m_dir = pattern;
        fs::create_directory(m_dir / "pages");
        write_file(m_dir / "pages" / "p0.bin", pattern_page());
        write_file(m_dir / "pages" / "zero.bin", zero_page());
        write_file(m_dir / "vmsa.bin", vmsa_pattern_page());
        // Relative paths resolve against the list's directory (pages/), not the cwd.
        write_file(m_dir / "pages" / "a.json", R"([
            {"type": "normal", "gpa": "0x100000", "file": "p0.bin"},
            {"type": "zero", "gpa": "0x200000"},
            {"type": "vmsa", "gpa": "0xfffffffff000", "file": "../vmsa.bin"}])");
        write_file(m_dir / "pages" / "t5.json", R"([
            {"op": "add", "gpa": "0x100000"}, {"op": "extend", "gpa": "0x100000", "file": "p0.bin"},
            {"op": "add", "gpa": "0x101000"}, {"op": "extend", "gpa": "0x101000", "file": "zero.bin"}])");
        write_file(m_dir / "pages" / "bad.json", R"([{"type": "zero", "gpa": "0x200800"}])");
    }
    ~Workdir() {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }
    Workdir(const Workdir&) = delete;
    Workdir& operator=(const Workdir&) = delete;

    [[nodiscard]] std::string path(const std::string& name) const { return (m_dir / name).string(); }

    // Runs cw-measure with `args` (already shell-quoted where needed).
    Run run(const std::string& args) const {
        const char* exe = std::getenv("CW_MEASURE");
        REQUIRE_MESSAGE(exe != nullptr, "CW_MEASURE is not set (run through meson test)");
        std::string out = path("stdout"), err = path("stderr");
        std::string command = "'" + std::string(exe) + "' " + args + " >'" + out + "' 2>'" + err + "'";
        int raw = std::system(command.c_str());
        REQUIRE(WIFEXITED(raw));
        return Run{WEXITSTATUS(raw), read_text(out), read_text(err)};
    }

private:
    fs::path m_dir;
};

}  // namespace

TEST_CASE("cw-measure snp-pages prints vector A's final digest") {
    Workdir dir;
    Run r = dir.run("snp-pages '" + dir.path("pages/a.json") + "'");
    CHECK(r.err == "");
    CHECK(r.status == 0);
    CHECK(r.out == std::string(kA3Digest) + "\n");
}

TEST_CASE("cw-measure snp-pages --json prints the digest as JSON") {
    Workdir dir;
    Run r = dir.run("snp-pages --json '" + dir.path("pages/a.json") + "'");
    REQUIRE(r.status == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc.at("snp_launch_digest") == kA3Digest);
    CHECK_FALSE(doc.contains("pages"));
}

TEST_CASE("cw-measure snp-pages --explain lists every page, then the digest") {
    Workdir dir;
    Run r = dir.run("snp-pages --explain '" + dir.path("pages/a.json") + "'");
    REQUIRE(r.status == 0);
    std::istringstream lines(r.out);
    std::string header, a1, a2, a3, last, extra;
    std::getline(lines, header);
    std::getline(lines, a1);
    std::getline(lines, a2);
    std::getline(lines, a3);
    std::getline(lines, last);
    CHECK(header.starts_with("#"));
    CHECK(contains(a1, "NORMAL"));
    CHECK(contains(a1, "0x0000000000100000"));
    CHECK(contains(a1, std::string(kA1Contents) + " " + std::string(kA1Digest)));
    CHECK(contains(a2, "ZERO"));
    CHECK(contains(a2, kA2Digest));
    CHECK(contains(a3, "VMSA"));
    CHECK(contains(a3, std::string(kA3Contents) + " " + std::string(kA3Digest)));
    CHECK(last == kA3Digest);
    CHECK_FALSE(std::getline(lines, extra));
}

TEST_CASE("cw-measure snp-pages --explain --json lists the pages in JSON") {
    Workdir dir;
    Run r = dir.run("snp-pages --explain --json '" + dir.path("pages/a.json") + "'");
    REQUIRE(r.status == 0);
    auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.at("pages").size() == 3);
    CHECK(doc["pages"][0] == nlohmann::json{{"type", "normal"}, {"gpa", "0x100000"}, {"contents", kA1Contents},
                                            {"digest", kA1Digest}});
    CHECK(doc["pages"][2].at("gpa") == "0xfffffffff000");
    CHECK(doc.at("snp_launch_digest") == kA3Digest);
}

TEST_CASE("cw-measure tdx-pages prints the MRTD (vector T5)") {
    Workdir dir;
    Run r = dir.run("tdx-pages '" + dir.path("pages/t5.json") + "'");
    CHECK(r.err == "");
    CHECK(r.status == 0);
    CHECK(r.out == std::string(kT5) + "\n");
}

TEST_CASE("cw-measure tdx-pages --explain --json lists 34 operations") {
    Workdir dir;
    Run r = dir.run("tdx-pages --explain --json '" + dir.path("pages/t5.json") + "'");
    REQUIRE(r.status == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc.at("tdx_mrtd") == kT5);
    REQUIRE(doc.at("operations").size() == 34);
    CHECK(doc["operations"][0].at("contents").is_null());
    CHECK(doc["operations"][0].at("mrtd") == kT2);
    CHECK(doc["operations"][16].at("mrtd") == kT3);
}

TEST_CASE("bad input exits 2 with one error line naming the list and the entry") {
    Workdir dir;
    Run r = dir.run("snp-pages '" + dir.path("pages/bad.json") + "'");
    CHECK(r.status == 2);
    CHECK(r.out == "");
    CHECK(r.err == "cw-measure: " + dir.path("pages/bad.json") + ": entry 0: gpa 0x200800 is not 4 KiB aligned\n");
}

TEST_CASE("a missing list, a missing argument and an unknown command exit 2 with one line") {
    Workdir dir;
    for (const std::string& args : {"snp-pages '" + dir.path("none.json") + "'", std::string("tdx-pages"),
                                   std::string("frobnicate"), std::string("snp-pages --bogus x.json")}) {
        CAPTURE(args);
        Run r = dir.run(args);
        CHECK(r.status == 2);
        CHECK(r.err.starts_with("cw-measure: "));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}
