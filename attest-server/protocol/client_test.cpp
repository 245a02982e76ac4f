// fetch_disk_key against an in-process HTTPS server playing the attestation server: the happy
// path over one keep-alive connection, refusals mapped to one line, TLS trust, the deadline.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>

#include "base/unique_fd.h"
#include "protocol/binding.h"
#include "protocol/client.h"
#include "protocol/key_wrap.h"
#include "protocol/messages.h"
#include "protocol/test_tls_server.h"

namespace cw::attest::protocol {
namespace {

using testing::TestCert;
using testing::TestReply;
using testing::TestRequest;
using testing::TestTlsServer;

const TestCert& server_cert() {
    static const TestCert cert = testing::make_self_signed_cert("IP:127.0.0.1,DNS:attest.test");
    return cert;
}

const std::vector<uint8_t> kDiskKey(32, 0x5A);
constexpr std::string_view kWorkload = "hello";

// The guest flow as docs/attestation-protocol.md has the server check it; the "evidence" is
// the REPORT_DATA itself (the fake provider below), so the binding is checked for real.
struct FakeServer {
    std::mutex lock;
    std::string session = std::string(64, 'a');
    std::array<uint8_t, kNonceSize> nonce{};
    std::string token = std::string(64, 'b');
    std::array<uint8_t, kTeePublicKeySize> tee_pubkey{};
    bool refuse_attest = false;
    bool close_each = false;
    std::string wrap_workload = std::string(kWorkload);

    static TestReply error(unsigned status, const ErrorBody& body) { return {status, to_json(body)}; }

    TestReply handle(const TestRequest& req) {
        std::lock_guard<std::mutex> guard(lock);
        TestReply reply = route(req);
        reply.close = close_each;
        return reply;
    }

    TestReply route(const TestRequest& req) {
        if (req.method == "POST" && req.target == kAuthPath) {
            auto auth = parse_auth_request(req.body);
            if (!auth.ok())
                return error(400, {"bad_request", auth.error().message(), ""});
            if (auth->version != kVersion || auth->workload != kWorkload || auth->tee != Tee::Sim)
                return error(400, {"bad_request", "unexpected auth", ""});
            nonce.fill(0x11);
            return {200, to_json(AuthResponse{session, nonce, kSessionTtlSeconds})};
        }
        if (req.method == "POST" && req.target == kAttestPath) {
            auto attest = parse_attest_request(req.body);
            if (!attest.ok())
                return error(400, {"bad_request", attest.error().message(), ""});
            if (refuse_attest)
                return error(403, {"policy_rejected", "measurement not in the workload's policy",
                                   "measurement_mismatch"});
            auto expected = report_data_binding(nonce, attest->tee_pubkey);
            if (attest->session != session || attest->evidence != std::vector<uint8_t>(expected.begin(), expected.end()))
                return error(403, {"report_data_mismatch", "binding", ""});
            tee_pubkey = attest->tee_pubkey;
            return {200, to_json(AttestResponse{token, kTokenTtlSeconds})};
        }
        if (req.method == "GET" && req.target == kDiskKeyPath) {
            if (req.authorization != "Bearer " + token)
                return error(401, {"token_invalid", "no such token", ""});
            // No REQUIRE here: this runs on the server thread.
            auto pub = decode_public_point(tee_pubkey);
            if (!pub.ok())
                return error(400, {"bad_public_key", pub.error().message(), ""});
            auto wrapped = wrap_key(pub->get(), kDiskKey, WrapContext{nonce, wrap_workload});
            if (!wrapped.ok())
                return error(500, {"internal", wrapped.error().message(), ""});
            return {200, to_json(*wrapped)};
        }
        return error(404, {"not_found", "no route", ""});
    }
};

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
