// fetch_disk_key against an in-process HTTPS server playing the attestation server: the happy
// path over one keep-alive connection, refusals mapped to one line, TLS trust, the deadline.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/unique_fd.h"
#include "protocol/binding.h"
#include "protocol/client.h"
#include "protocol/key_wrap.h"
#include "protocol/messages.h"
#include "protocol/fake_attest_server.h"
#include "protocol/test_tls_server.h"

namespace cw::attest::protocol {
namespace {

using testing::FakeServer;
using testing::kDiskKey;
using testing::kWorkload;
using testing::TestCert;
using testing::TestReply;
using testing::TestRequest;
using testing::TestTlsServer;

const TestCert& server_cert() {
    static const TestCert cert = testing::make_self_signed_cert("IP:127.0.0.1,DNS:attest.test");
    return cert;
}

Result<Evidence> report_data_as_evidence(const std::array<uint8_t, 64>& report_data) {
    return Evidence{std::vector<uint8_t>(report_data.begin(), report_data.end()), {}};
}

ClientConfig config_for(uint16_t port, std::string server_name = "127.0.0.1") {
    auto connect = tcp_connector("127.0.0.1", port);
    REQUIRE(connect.ok());
    ClientConfig config;
    config.connect = std::move(connect).value();
    config.server_name = std::move(server_name);
    config.ca_pem = server_cert().cert_pem;
    config.workload = std::string(kWorkload);
    config.tee = Tee::Sim;
    config.timeout = std::chrono::milliseconds(5000);
    return config;
}

TEST_CASE("fetch_disk_key: auth, attest and disk-key over one TLS connection") {
    FakeServer fake;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    auto key = fetch_disk_key(config_for(server.port()), report_data_as_evidence);
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    CHECK(*key == kDiskKey);
    CHECK(server.connections() == 1);
}

TEST_CASE("AttestClient: repeated fetches share one keep-alive connection") {
    FakeServer fake;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    AttestClient client(config_for(server.port()));
    for (int i = 0; i < 3; ++i) {
        auto key = client.fetch_disk_key(report_data_as_evidence);
        REQUIRE_MESSAGE(key.ok(), key.error().to_string());
        CHECK(*key == kDiskKey);
    }
    CHECK(server.connections() == 1);
}

TEST_CASE("fetch_disk_key: verifies a DNS name and reconnects when the server closes") {
    FakeServer fake;
    fake.close_each = true;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    auto key = fetch_disk_key(config_for(server.port(), "attest.test"), report_data_as_evidence);
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    CHECK(*key == kDiskKey);
    CHECK(server.connections() == 3);
}

TEST_CASE("fetch_disk_key: a refusal carries the server's reason, detail and message") {
    FakeServer fake;
    fake.refuse_attest = true;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    auto key = fetch_disk_key(config_for(server.port()), report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message() ==
          "attestation server refused attest: policy_rejected (measurement_mismatch): measurement not in the "
          "workload's policy");
}

TEST_CASE("fetch_disk_key: a non-protocol error body still gives the HTTP status") {
    TestTlsServer server(server_cert(), [](const TestRequest&) { return TestReply{502, "<html>bad gateway</html>"}; });
    auto key = fetch_disk_key(config_for(server.port()), report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message().starts_with("attestation server refused auth: HTTP 502 (error body: not valid JSON"));
}

TEST_CASE("fetch_disk_key: a key wrapped for another workload does not open") {
    FakeServer fake;
    fake.wrap_workload = "other";
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    auto key = fetch_disk_key(config_for(server.port()), report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message().starts_with("disk key: authentication failed"));
}

TEST_CASE("fetch_disk_key: the evidence provider's failure stops the flow") {
    FakeServer fake;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });
    auto key = fetch_disk_key(config_for(server.port()), [](const std::array<uint8_t, 64>&) -> Result<Evidence> {
        return Error::msg("no TEE here");
    });
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message() == "getting sim evidence: no TEE here");
}

TEST_CASE("fetch_disk_key: only the configured CA and the configured name are trusted") {
    FakeServer fake;
    TestTlsServer server(server_cert(), [&](const TestRequest& r) { return fake.handle(r); });

    ClientConfig other_ca = config_for(server.port());
    other_ca.ca_pem = testing::make_self_signed_cert("IP:127.0.0.1").cert_pem;
    auto key = fetch_disk_key(other_ca, report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK_MESSAGE(key.error().message().find("server certificate not accepted") != std::string::npos,
                  key.error().message());

    auto wrong_name = fetch_disk_key(config_for(server.port(), "evil.test"), report_data_as_evidence);
    REQUIRE_FALSE(wrong_name.ok());
    CHECK_MESSAGE(wrong_name.error().message().find("server certificate not accepted") != std::string::npos,
                  wrong_name.error().message());

    ClientConfig garbage_ca = config_for(server.port());
    garbage_ca.ca_pem = "not a certificate";
    CHECK_FALSE(fetch_disk_key(garbage_ca, report_data_as_evidence).ok());
}

TEST_CASE("fetch_disk_key: a server that never answers runs into the timeout") {
    // Listening but never accepting: the kernel completes TCP, nobody speaks TLS.
    UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(listen(listener.get(), 4) == 0);
    REQUIRE(getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ClientConfig config = config_for(ntohs(addr.sin_port));
    config.timeout = std::chrono::milliseconds(300);
    auto start = std::chrono::steady_clock::now();
    auto key = fetch_disk_key(config, report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK_MESSAGE(key.error().message().find("timed out") != std::string::npos, key.error().message());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("fetch_disk_key: a bad configuration is refused before connecting") {
    ClientConfig config = config_for(1);
    config.workload = "Not/Valid";
    auto key = fetch_disk_key(config, report_data_as_evidence);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message().starts_with("attestation client: workload"));
    CHECK_FALSE(tcp_connector("", 1).ok());
    CHECK_FALSE(tcp_connector("127.0.0.1", 0).ok());
}

}  // namespace
}  // namespace cw::attest::protocol
