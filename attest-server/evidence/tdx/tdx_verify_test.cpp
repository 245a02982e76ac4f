// End-to-end verification of the real quotes (vectors/README.md "TDX files") and the policy.
#include <doctest/doctest.h>

#include "evidence/tdx/tdx_pck.h"
#include "evidence/tdx/tdx_policy.h"
#include "evidence/tdx/tdx_test_support.h"
#include "evidence/tdx/tdx_verify.h"

namespace cw::attest {
namespace {

using namespace testing;

TdxVerdict verify_file(const char* quote_file, const TdxCollateral& collateral, std::optional<int64_t> at) {
    return verify_tdx_quote(vector_bytes(quote_file), collateral, TdxVerifyOptions{at});
}

// A policy registering the quote's own MRTD, so only the rule under test can refuse it.
TdxPolicy policy_for(const TdxVerdict& v) {
    TdxPolicy policy;
    policy.allowed_measurements.push_back(TdxMeasurement{v.fields->mrtd, {}});
    return policy;
}

TEST_CASE("SPR_E4 verifies up to the TCB level and is rejected as TCB level not supported") {
    TdxVerdict v = verify_file(kSprE4Quote, vector_collateral(), kTdxCollateralTime);
    CHECK(v.reason == TdxReason::TcbLevelNotSupported);
    CHECK(tdx_reason_code(v.reason) == "tcb_level_not_supported");
    CHECK(v.quote_signature_ok);
    CHECK(v.qe_binding_ok);
    CHECK(v.pck_chain_ok);
    CHECK(v.revocation_checked);
    CHECK(v.qe_report_signature_ok);
    CHECK(v.collateral_ok);
    CHECK(v.qe_tcb_status == TcbStatus::UpToDate);
    CHECK(v.message.find("no TCB level matches") != std::string::npos);
}

TEST_CASE("tdx_quote_4 verifies UpToDate and the policy refuses it for DEBUG") {
    TdxVerdict v = verify_file(kQuote4, vector_collateral(), kTdxCollateralTime);
    REQUIRE_MESSAGE(v.ok(), v.message);
    CHECK(v.revocation_checked);
    CHECK(v.tcb_status == TcbStatus::UpToDate);
    CHECK(v.platform_tcb_status == TcbStatus::UpToDate);
    CHECK(v.qe_tcb_status == TcbStatus::UpToDate);
    CHECK(v.fields->debug);
    apply_tdx_policy(v, policy_for(v));
    CHECK(v.reason == TdxReason::PolicyDebug);
    CHECK(tdx_reason_code(v.reason) == "policy_debug");
}

TEST_CASE("tdx_quote_5 (v5, TDX 1.5 body) verifies its links and reports missing collateral") {
    TdxCollateral collateral;
    collateral.tcb_infos = {vector_text(kTcbInfo)};  // for FMSPC 50806f000000 only
    TdxVerdict v = verify_file(kQuote5, collateral, kSnpPinnedTime);
    CHECK(v.quote_signature_ok);
    CHECK(v.qe_binding_ok);
    CHECK(v.pck_chain_ok);
    CHECK_FALSE(v.revocation_checked);
    CHECK(v.qe_report_signature_ok);
    CHECK(v.reason == TdxReason::MissingCollateral);
    CHECK(v.message.find("TCB info for FMSPC 90c06f000000") != std::string::npos);
    CHECK(v.message.find("PCK CRL") != std::string::npos);
    CHECK(v.fields->body_type == 3);
    CHECK_FALSE(v.fields->debug);
}

TEST_CASE("tdx_quote_5's PCK leaf is not yet valid at the collateral time (error 9)") {
    TdxVerdict v = verify_file(kQuote5, TdxCollateral{}, kTdxCollateralTime);
    CHECK(v.reason == TdxReason::PckChain);
    CHECK(v.x509_error == 9);
}

TEST_CASE("unpinned time: the shipped CRLs have expired (error 12)") {
    TdxVerdict v = verify_file(kSprE4Quote, vector_collateral(), std::nullopt);
    CHECK(v.reason == TdxReason::PckChain);
    CHECK(v.x509_error == 12);
}

TEST_CASE("with CRLs, every certificate must be covered: the PCK CRL alone is not enough (error 3)") {
    TdxCollateral collateral = vector_collateral();
    collateral.root_ca_crl.clear();
    TdxVerdict v = verify_file(kQuote4, collateral, kTdxCollateralTime);
    CHECK(v.reason == TdxReason::PckChain);
    CHECK(v.x509_error == 3);
}

TEST_CASE("every PCK chain verifies to the pinned root without CRLs at 2025-06-01") {
    for (const char* file : {kSprE4Quote, kQuote4, kQuote5}) {
        CAPTURE(file);
        auto chain = parse_pck_chain(parsed_vector_quote(file).pck_chain_pem);
        REQUIRE(chain.ok());
        ChainResult r = verify_intel_chain(*chain, {}, kSnpPinnedTime);
        CHECK_MESSAGE(r.ok(), r.error().to_string());
    }
}

TEST_CASE("a chain whose last certificate is not the pinned root is refused") {
    std::string pem = vector_text("tdx/derived/trustee_tdx_quote_4_pck_chain.pem");
    const size_t root_start = pem.rfind("-----BEGIN");
    const size_t ca_start = pem.find("-----BEGIN", 1);
    std::string swapped = pem.substr(0, root_start) + pem.substr(ca_start, root_start - ca_start);
    auto chain = parse_pck_chain(swapped);
    REQUIRE_FALSE(chain.ok());
    CHECK(chain.error().message().find("not the pinned Intel SGX Root CA") != std::string::npos);
}

TEST_CASE("another quote's PCK chain does not verify the QE report") {
    auto bytes = vector_bytes(kQuote4);
    const std::string other = vector_text("tdx/derived/trustee_tdx_quote_5_pck_chain.pem");
    const std::string own = parsed_vector_quote(kQuote4).pck_chain_pem;
    REQUIRE(other.size() == own.size());  // both 3677 bytes + NUL: a same-size swap
    std::copy(other.begin(), other.end(), bytes.begin() + 1258);
    TdxVerdict v = verify_tdx_quote(bytes, TdxCollateral{}, TdxVerifyOptions{kSnpPinnedTime});
    CHECK(v.pck_chain_ok);
    CHECK(v.reason == TdxReason::QeReportSignature);
}

TEST_CASE("a flipped QE report bit fails the QE report signature") {
    auto bytes = flipped(vector_bytes(kQuote4), 770 + 100, 2);
    TdxVerdict v = verify_tdx_quote(bytes, vector_collateral(), TdxVerifyOptions{kTdxCollateralTime});
    CHECK(v.reason == TdxReason::QeReportSignature);
}

TEST_CASE("a flipped body bit fails the quote signature first") {
    auto bytes = flipped(vector_bytes(kQuote4), 48 + 136, 0);  // MRTD
    TdxVerdict v = verify_tdx_quote(bytes, vector_collateral(), TdxVerifyOptions{kTdxCollateralTime});
    CHECK(v.reason == TdxReason::QuoteSignature);
    CHECK_FALSE(v.quote_signature_ok);
}

TEST_CASE("truncated and unsupported quotes get distinct reasons") {
    auto bytes = vector_bytes(kQuote4);
    TdxVerdict truncated = verify_tdx_quote(std::span(bytes).first(1000), TdxCollateral{}, {});
    CHECK(truncated.reason == TdxReason::MalformedQuote);
    bytes[0] = 3;
    TdxVerdict unsupported = verify_tdx_quote(bytes, TdxCollateral{}, {});
    CHECK(unsupported.reason == TdxReason::UnsupportedQuote);
}

TEST_CASE("missing QE identity is missing collateral, never acceptance") {
    TdxCollateral collateral = vector_collateral();
    collateral.qe_identity.clear();
    TdxVerdict v = verify_file(kQuote4, collateral, kTdxCollateralTime);
    CHECK(v.reason == TdxReason::MissingCollateral);
    CHECK(v.message == "missing collateral: QE identity");
}

TEST_CASE("TCB info outside its validity window is expired collateral") {
    // 2023-06-10: CRLs and certificates valid, TCB info not issued until 2023-06-18.
    TdxVerdict v = verify_file(kQuote4, vector_collateral(), 1686355200);
    CHECK(v.reason == TdxReason::CollateralExpired);
}

TEST_CASE("a tampered TCB info is a collateral signature failure") {
    TdxCollateral collateral = vector_collateral();
    std::string& doc = collateral.tcb_infos[0];
    doc[doc.find("\"pcesvn\":11") + 10] = '0';
    TdxVerdict v = verify_file(kQuote4, collateral, kTdxCollateralTime);
    CHECK(v.reason == TdxReason::CollateralSignature);
}

TEST_CASE("the verdict JSON carries the reason code and the policy fields") {
    TdxVerdict v = verify_file(kQuote4, vector_collateral(), kTdxCollateralTime);
    nlohmann::json j = tdx_verdict_to_json(v);
    CHECK(j["verified"] == true);
    CHECK(j["reason"] == "ok");
    CHECK(j["tcb_status"] == "UpToDate");
    CHECK(j["fmspc"] == "50806f000000");
    CHECK(j["fields"]["debug"] == true);
    CHECK(j["fields"]["rtmr"].size() == 4);
}

// Policy rules on a verdict that passed verification (tdx_quote_4 with DEBUG allowed).
TdxVerdict verified_quote4() {
    TdxVerdict v = verify_file(kQuote4, vector_collateral(), kTdxCollateralTime);
    REQUIRE(v.ok());
    return v;
}

TEST_CASE("policy: the registered measurement with DEBUG allowed accepts") {
    TdxVerdict v = verified_quote4();
    TdxPolicy policy = policy_for(v);
    policy.allow_debug = true;
    policy.expected_mrconfigid = v.fields->mrconfigid;
    policy.expected_report_data = v.fields->report_data;
    apply_tdx_policy(v, policy);
    CHECK_MESSAGE(v.ok(), v.message);
}

TEST_CASE("policy: no registered measurement accepts nothing") {
    TdxVerdict v = verified_quote4();
    TdxPolicy policy;
    policy.allow_debug = true;
    apply_tdx_policy(v, policy);
    CHECK(v.reason == TdxReason::PolicyMeasurement);
}

TEST_CASE("policy: a wrong RTMR is a measurement mismatch") {
    TdxVerdict v = verified_quote4();
    TdxPolicy policy = policy_for(v);
    policy.allow_debug = true;
    Digest48 rtmr = v.fields->rtmr[2];
    rtmr[0] ^= 1;
    policy.allowed_measurements[0].rtmr[2] = rtmr;
    apply_tdx_policy(v, policy);
    CHECK(v.reason == TdxReason::PolicyMeasurement);
}

TEST_CASE("policy: unaccepted TCB status, MRCONFIGID and report data are refused") {
    TdxPolicy policy = policy_for(verified_quote4());
    policy.allow_debug = true;
    TdxVerdict status = verified_quote4();
    TdxPolicy only_sw = policy;
    only_sw.accepted_tcb_statuses = {TcbStatus::SWHardeningNeeded};
    apply_tdx_policy(status, only_sw);
    CHECK(status.reason == TdxReason::PolicyTcbStatus);
    TdxVerdict config = verified_quote4();
    TdxPolicy with_config = policy;
    with_config.expected_mrconfigid = Digest48{1};
    apply_tdx_policy(config, with_config);
    CHECK(config.reason == TdxReason::PolicyMrConfigId);
    TdxVerdict data = verified_quote4();
    TdxPolicy with_data = policy;
    with_data.expected_report_data = std::array<uint8_t, 64>{1};
    apply_tdx_policy(data, with_data);
    CHECK(data.reason == TdxReason::PolicyReportData);
}

TEST_CASE("policy: non-zero trailing bytes are refused unless allowed") {
    TdxVerdict v = verified_quote4();
    v.fields->trailing_bytes = 39;
    v.fields->trailing_all_zero = false;
    TdxPolicy policy = policy_for(v);
    policy.allow_debug = true;
    TdxVerdict allowed = v;
    apply_tdx_policy(v, policy);
    CHECK(v.reason == TdxReason::PolicyTrailingBytes);
    policy.allow_nonzero_trailing_bytes = true;
    apply_tdx_policy(allowed, policy);
    CHECK(allowed.ok());
}

TEST_CASE("policy never overrides a failed verification") {
    TdxVerdict v = verify_file(kSprE4Quote, vector_collateral(), kTdxCollateralTime);
    TdxPolicy policy = policy_for(v);
    policy.accepted_tcb_statuses = {TcbStatus::UpToDate, TcbStatus::OutOfDate};
    apply_tdx_policy(v, policy);
    CHECK(v.reason == TdxReason::TcbLevelNotSupported);
}

}  // namespace
}  // namespace cw::attest
