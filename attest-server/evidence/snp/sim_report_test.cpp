// The simulated TEE: create/verify round trip and the ways a sim report must fail.
#include <doctest/doctest.h>

#include "evidence/snp/sim_report.h"
#include "evidence/snp/snp_policy.h"
#include "evidence/snp/snp_verify.h"
#include "evidence/x509/keys.h"

namespace cw::attest {
namespace {

EvpPkeyPtr host_key() {
    auto key = generate_ec_key(EcCurve::P384);
    REQUIRE(key.ok());
    return std::move(key).value();
}

SimReportInput sample_input() {
    SimReportInput in;
    in.measurement.fill(0xAA);
    in.report_data.fill(0xBB);
    in.host_data.fill(0xCC);
    in.guest_svn = 2;
    return in;
}

TEST_CASE("a sim report verifies with the host key and carries the inputs") {
    EvpPkeyPtr key = host_key();
    auto bytes = create_sim_report(sample_input(), key.get());
    REQUIRE_MESSAGE(bytes.ok(), bytes.error().to_string());
    auto report = verify_sim_report(*bytes, key.get());
    REQUIRE_MESSAGE(report.ok(), report.error().to_string());
    CHECK(report->wire.measurement == sample_input().measurement);
    CHECK(report->wire.report_data == sample_input().report_data);
    CHECK(report->wire.host_data == sample_input().host_data);
    CHECK(report->wire.guest_svn == 2);
    CHECK(report->wire.vmpl == 0);
    CHECK_FALSE(report->policy.debug);

    SnpPolicyRequirements req;
    req.allowed_measurements = {sample_input().measurement};
    req.report_data = sample_input().report_data;
    CHECK(evaluate_snp_policy(*report, SnpProduct::Unknown, req).ok());
}

TEST_CASE("a sim report verifies with the public half loaded from PEM") {
    EvpPkeyPtr key = host_key();
    auto pem = public_key_to_pem(key.get());
    REQUIRE(pem.ok());
    auto pub = parse_public_key_pem(std::vector<uint8_t>(pem->begin(), pem->end()));
    REQUIRE(pub.ok());
    auto bytes = create_sim_report(sample_input(), key.get());
    REQUIRE(bytes.ok());
    CHECK(verify_sim_report(*bytes, pub->get()).ok());
}

TEST_CASE("another key does not verify a sim report") {
    EvpPkeyPtr key = host_key();
    EvpPkeyPtr other = host_key();
    auto bytes = create_sim_report(sample_input(), key.get());
    REQUIRE(bytes.ok());
    CHECK_FALSE(verify_sim_report(*bytes, other.get()).ok());
}

TEST_CASE("a bit flip in the signed region fails a sim report") {
    EvpPkeyPtr key = host_key();
    auto bytes = create_sim_report(sample_input(), key.get());
    REQUIRE(bytes.ok());
    for (size_t pos : {size_t{0x090}, size_t{0x050}, size_t{0x0C0}, size_t{0x004}, kSnpSignedSize - 1}) {
        SnpReportBytes flipped = *bytes;
        flipped[pos] ^= 1;
        CAPTURE(pos);
        CHECK_FALSE(verify_sim_report(flipped, key.get()).ok());
    }
}

TEST_CASE("a sim report is never hardware evidence: the SNP verifier refuses it") {
    EvpPkeyPtr key = host_key();
    auto bytes = create_sim_report(sample_input(), key.get());
    REQUIRE(bytes.ok());
    SnpVerdict v = verify_snp_report(*bytes, SnpCertChain{});
    CHECK_FALSE(v.ok());
    CHECK(v.reason == SnpReason::MissingCertificate);
}

TEST_CASE("a P-256 host key is refused") {
    auto p256 = generate_ec_key(EcCurve::P256);
    REQUIRE(p256.ok());
    CHECK_FALSE(create_sim_report(sample_input(), p256->get()).ok());
}

}  // namespace
}  // namespace cw::attest
