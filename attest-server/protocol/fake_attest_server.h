// Test support (protocol_unit_tests only): the attestation server's guest flow as the doc has
// the server check it, over TestTlsServer. By default the "evidence" must be the REPORT_DATA
// itself (so the binding is checked for real); check_evidence replaces that.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/binding.h"
#include "protocol/key_wrap.h"
#include "protocol/messages.h"
#include "protocol/test_tls_server.h"

namespace cw::attest::protocol::testing {

inline const std::vector<uint8_t> kDiskKey(32, 0x5A);
inline constexpr std::string_view kWorkload = "hello";

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
    // Whether the evidence is acceptable and carries `report_data`.
    std::function<bool(const std::vector<uint8_t>& evidence, const std::array<uint8_t, 64>& report_data)>
        check_evidence = [](const std::vector<uint8_t>& evidence, const std::array<uint8_t, 64>& report_data) {
            return evidence == std::vector<uint8_t>(report_data.begin(), report_data.end());
        };

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
            if (attest->session != session || !check_evidence(attest->evidence, expected))
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

}  // namespace cw::attest::protocol::testing
