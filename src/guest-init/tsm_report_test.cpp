#include "guest-init/tsm_report.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace cw::guest;
namespace fs = std::filesystem;

namespace {

struct FakeEntry {
    fs::path dir;
    FakeEntry() {
        char tmpl[] = "/tmp/cw-tsm-test-XXXXXX";
        dir = mkdtemp(tmpl);
        write("provider", "sev_guest\n");
        write("generation", "1\n");
        write("outblob", std::string(1184, 'R'));
        write("auxblob", "");
        write("inblob", "");
    }
    ~FakeEntry() { fs::remove_all(dir); }
    void write(const std::string& name, const std::string& content) {
        std::ofstream(dir / name, std::ios::binary) << content;
    }
    std::string read(const std::string& name) {
        std::ifstream in(dir / name, std::ios::binary);
        std::string out(1 << 16, '\0');
        in.read(out.data(), static_cast<std::streamsize>(out.size()));
        out.resize(static_cast<size_t>(in.gcount()));
        return out;
    }
};

std::array<uint8_t, 64> data() {
    std::array<uint8_t, 64> d{};
    for (size_t i = 0; i < d.size(); ++i)
        d[i] = static_cast<uint8_t>(i);
    return d;
}

}  // namespace

TEST_CASE("a report is read from the entry after inblob is written") {
    FakeEntry e;
    e.write("auxblob", "AUX");
    auto r = tsm_report_in(e.dir, data(), "sev_guest");
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->provider == "sev_guest");
    CHECK(r->outblob.size() == 1184);
    CHECK(r->auxblob == std::vector<uint8_t>{'A', 'U', 'X'});
    std::string in = e.read("inblob");
    REQUIRE(in.size() == 64);
    CHECK(static_cast<uint8_t>(in[63]) == 63);
}

TEST_CASE("a missing auxblob is an empty one (TDX)") {
    FakeEntry e;
    e.write("provider", "tdx_guest");
    fs::remove(e.dir / "auxblob");
    auto r = tsm_report_in(e.dir, data(), "tdx_guest");
    REQUIRE(r.ok());
    CHECK(r->auxblob.empty());
}

TEST_CASE("the wrong provider is refused before anything is written") {
    FakeEntry e;
    e.write("provider", "tdx_guest\n");
    auto r = tsm_report_in(e.dir, data(), "sev_guest");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "configfs-tsm: provider is \"tdx_guest\", expected \"sev_guest\"");
    CHECK(e.read("inblob").empty());
}

TEST_CASE("empty, oversized and missing blobs are refused") {
    {
        FakeEntry e;
        e.write("outblob", "");
        CHECK_FALSE(tsm_report_in(e.dir, data(), "sev_guest").ok());
    }
    {
        FakeEntry e;
        e.write("outblob", std::string(kTsmOutblobMax + 1, 'x'));
        auto r = tsm_report_in(e.dir, data(), "sev_guest");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message().find("more than 32768 bytes") != std::string::npos);
    }
    {
        FakeEntry e;
        e.write("generation", "abc");
        CHECK_FALSE(tsm_report_in(e.dir, data(), "sev_guest").ok());
    }
}

TEST_CASE("tsm_report makes and removes its entry, also on failure") {
    char tmpl[] = "/tmp/cw-tsm-root-XXXXXX";
    fs::path root = mkdtemp(tmpl);
    // A plain directory has no attributes: the report fails, and the entry is gone afterwards.
    auto r = tsm_report(root, data(), "sev_guest");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("configfs-tsm: opening") == 0);
    CHECK(fs::is_empty(root));
    fs::remove_all(root);
    auto missing = tsm_report("/nonexistent-tsm-root", data(), "sev_guest");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message().find("configfs-tsm: mkdir") == 0);
}
