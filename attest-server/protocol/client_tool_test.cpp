// cw-attest-client (the test tool) end to end against the fake attestation server, which
// verifies the sim report's signature and REPORT_DATA binding. Needs CW_ATTEST_CLIENT (set by
// meson); skipped without it.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/hex.h"
#include "evidence/snp/sim_report.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/keys.h"
#include "protocol/fake_attest_server.h"

namespace cw::attest::protocol {
namespace {

namespace fs = std::filesystem;
using testing::FakeServer;
using testing::TestRequest;
using testing::TestTlsServer;

struct ToolRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const fs::path& path) {
    auto bytes = read_file_bytes(path.string(), 1 << 20);
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string templ = (fs::temp_directory_path() / "cw-attest-client-test.XXXXXX").string();
        REQUIRE(mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~TempDir() { fs::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    void write(const std::string& name, const std::string& text) const {
        std::FILE* f = std::fopen((path / name).c_str(), "w");
        REQUIRE(f != nullptr);
        CHECK(std::fwrite(text.data(), 1, text.size(), f) == text.size());
        CHECK(std::fclose(f) == 0);
    }
};

ToolRun run_tool(const std::string& args, const TempDir& dir) {
    std::string command = std::string(std::getenv("CW_ATTEST_CLIENT")) + " " + args + " >" +
                          (dir.path / "out").string() + " 2>" + (dir.path / "err").string();
    int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir.path / "out"), slurp(dir.path / "err")};
}

TEST_CASE("cw-attest-client fetches the key with sim evidence, and reports a refusal") {
    if (std::getenv("CW_ATTEST_CLIENT") == nullptr) {
        MESSAGE("CW_ATTEST_CLIENT not set: skipped");
        return;
    }
    auto sim_key = generate_ec_key(EcCurve::P384);
    REQUIRE(sim_key.ok());
    auto sim_pem = private_key_to_pem(sim_key->get());
    REQUIRE(sim_pem.ok());
    testing::TestCert cert = testing::make_self_signed_cert("IP:127.0.0.1");
    TempDir dir;
    dir.write("ca.pem", cert.cert_pem);
    dir.write("sim.pem", *sim_pem);

    const std::string measurement(96, 'a');
    const std::string host_data = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    FakeServer fake;
    fake.check_evidence = [&](const std::vector<uint8_t>& evidence, const std::array<uint8_t, 64>& report_data) {
        auto report = verify_sim_report(evidence, sim_key->get());
        return report.ok() && report->wire.report_data == report_data &&
               to_hex_lower(report->wire.measurement) == measurement && to_hex_lower(report->wire.host_data) == host_data;
    };
    TestTlsServer server(cert, [&](const TestRequest& r) { return fake.handle(r); });
    std::string args = "--server 127.0.0.1:" + std::to_string(server.port()) + " --ca " + (dir.path / "ca.pem").string() +
                       " --workload hello --tee sim --sim-key " + (dir.path / "sim.pem").string() +
                       " --measurement " + measurement + " --host-data " + host_data;

    ToolRun ok = run_tool(args, dir);
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    CHECK(ok.out == to_hex_lower(testing::kDiskKey) + "\n");

    fake.refuse_attest = true;
    ToolRun refused = run_tool(args, dir);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.empty());
    CHECK(refused.err ==
          "cw-attest-client: attestation server refused attest: policy_rejected (measurement_mismatch): measurement "
          "not in the workload's policy\n");

    ToolRun bad_args = run_tool("--server 127.0.0.1:1 --tee snp", dir);
    CHECK(bad_args.exit_code == 1);
    CHECK(bad_args.err.starts_with("cw-attest-client: missing --ca"));
}

}  // namespace
}  // namespace cw::attest::protocol
