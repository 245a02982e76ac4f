#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "evidence/snp/sim_report.h"
#include "evidence/snp/snp_report.h"
#include "evidence/tdx/tdx_quote.h"
#include "evidence/x509/keys.h"
#include "evidence/x509/test_vectors.h"
#include "policy/appraisal.h"

using namespace cw::attest;
using namespace cw::attest::policy;
using cw::attest::testing::kSnpPinnedTime;
using cw::attest::testing::kTdxCollateralTime;
using cw::attest::testing::vector_bytes;
using cw::attest::testing::vector_path;

namespace {

using Bytes = std::vector<uint8_t>;

template <class Range>
std::string hex(const Range& bytes) { return to_hex_lower(std::span<const uint8_t>(bytes.data(), bytes.size())); }

WorkloadPolicy policy_from(const std::string& json) {
    auto parsed = parse_workload_policy(json);
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().to_string());
    return std::move(parsed).value();
}

// The directory of a vector file (vector_path fails the test if it is missing).
std::string dir_of(std::string_view file) {
    std::string path = vector_path(file);
    return path.substr(0, path.rfind('/'));
}

// A sim report signed with a fresh key, and the policy/config that accept it.
struct SimFixture {
    EvpPkeyPtr key;
    SimReportInput input;
    SnpReportBytes report{};
    AppraisalConfig config;

    SimFixture() {
        auto generated = generate_ec_key(EcCurve::P384);
        REQUIRE(generated.ok());
        key = std::move(generated).value();
        input.measurement.fill(0x11);
        input.host_data.fill(0x22);
        input.report_data.fill(0x33);
        auto created = create_sim_report(input, key.get());
        REQUIRE(created.ok());
        report = *created;
        config.sim_public_key = key.get();
    }

    [[nodiscard]] WorkloadPolicy policy(const std::string& measurement_hex, const std::string& host_hex) const {
        return policy_from(R"({"tee": ["sim"], "sim": {"measurements": [")" + measurement_hex + R"("], "host_data": ")" +
                           host_hex + R"("}})");
    }
    [[nodiscard]] WorkloadPolicy good_policy() const { return policy(hex(input.measurement), hex(input.host_data)); }

    [[nodiscard]] Appraisal appraise_with(const WorkloadPolicy& p, std::span<const uint8_t> evidence) const {
        return appraise(EvidenceInput{.tee = protocol::Tee::Sim, .evidence = evidence, .certificates = {}}, p,
                        input.report_data, config);
    }
};

void check_refused(const Appraisal& a, const std::string& reason, const std::string& detail) {
    CHECK_MESSAGE(!a.ok, a.message);
    CHECK(a.reason == reason);
    CHECK(a.detail == detail);
    CHECK_FALSE(a.message.empty());
}

}  // namespace

TEST_CASE("sim: a report matching the policy and binding is accepted") {
    SimFixture f;
    Appraisal a = f.appraise_with(f.good_policy(), f.report);
    CHECK_MESSAGE(a.ok, a.message);
    CHECK(a.reason.empty());
    CHECK(a.detail.empty());
    CHECK(a.measurement == Bytes(f.input.measurement.begin(), f.input.measurement.end()));
    CHECK(a.tcb_status.empty());
}

TEST_CASE("sim: each failing check gives its reason, in the protocol's order") {
    SimFixture f;
    SUBCASE("wrong measurement") {
        check_refused(f.appraise_with(f.policy(std::string(96, 'f'), hex(f.input.host_data)), f.report),
                      "policy_rejected", "measurement_mismatch");
    }
    SUBCASE("wrong host data") {
        check_refused(f.appraise_with(f.policy(hex(f.input.measurement), std::string(64, 'f')), f.report),
                      "policy_rejected", "host_data_mismatch");
    }
    SUBCASE("wrong report data") {
        std::array<uint8_t, 64> other = f.input.report_data;
        other[63] ^= 1;
        Appraisal a = appraise(EvidenceInput{.tee = protocol::Tee::Sim, .evidence = f.report, .certificates = {}},
                               f.good_policy(), other, f.config);
        check_refused(a, "report_data_mismatch", "");
        CHECK(a.measurement.size() == 48);
    }
    SUBCASE("no sim key configured") {
        f.config.sim_public_key = nullptr;
        check_refused(f.appraise_with(f.good_policy(), f.report), "sim_not_enabled", "");
    }
    SUBCASE("tee not in the policy") {
        WorkloadPolicy snp_only = policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" +
                                              hex(f.input.measurement) + R"("]}, "sim": {"measurements": [")" +
                                              hex(f.input.measurement) + R"("]}})");
        check_refused(f.appraise_with(snp_only, f.report), "tee_not_allowed", "");
        // The TEE check comes first: even an unconfigured sim key is not reached.
        f.config.sim_public_key = nullptr;
        check_refused(f.appraise_with(snp_only, f.report), "tee_not_allowed", "");
    }
    SUBCASE("flipped signature byte") {
        SnpReportBytes bad = f.report;
        bad[kSnpSignedSize + 5] ^= 0x40;
        check_refused(f.appraise_with(f.good_policy(), bad), "evidence_invalid", "signature_invalid");
    }
    SUBCASE("flipped signed byte beats a wrong measurement: evidence first") {
        SnpReportBytes bad = f.report;
        bad[0x90] ^= 1;  // inside MEASUREMENT
        check_refused(f.appraise_with(f.policy(std::string(96, 'f'), hex(f.input.host_data)), bad), "evidence_invalid",
                      "signature_invalid");
    }
    SUBCASE("another key") {
        auto other = generate_ec_key(EcCurve::P384);
        REQUIRE(other.ok());
        f.config.sim_public_key = other->get();
        check_refused(f.appraise_with(f.good_policy(), f.report), "evidence_invalid", "signature_invalid");
    }
    SUBCASE("truncated report") {
        check_refused(f.appraise_with(f.good_policy(), std::span<const uint8_t>(f.report).first(100)), "evidence_invalid",
                      "malformed_report");
    }
}

TEST_CASE("snp: the trustee report with its VCEK, the chain from the collateral directory") {
    const Bytes report = vector_bytes("snp/trustee/test-report.bin");
    auto parsed = parse_snp_report(report);
    REQUIRE(parsed.ok());
    const std::string measurement = hex(parsed->wire.measurement);
    const std::vector<Bytes> certs = {vector_bytes("snp/trustee/test-vcek.der")};

    auto collateral = load_collateral(dir_of("snp/go-sev-guest/ask_ark_milan.pem"));
    REQUIRE_MESSAGE(collateral.ok(), collateral.error().to_string());
    CHECK_FALSE((*collateral)->snp.certs.empty());
    CHECK_FALSE((*collateral)->unusable.empty());  // attestation.bin is not collateral
    AppraisalConfig config{.sim_public_key = nullptr, .collateral = *collateral, .at_time = kSnpPinnedTime};
    EvidenceInput input{.tee = protocol::Tee::Snp, .evidence = report, .certificates = certs};

    SUBCASE("accepted when the policy lists its measurement") {
        Appraisal a = appraise(input, policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                               parsed->wire.report_data, config);
        CHECK_MESSAGE(a.ok, a.message);
        CHECK(hex(a.measurement) == measurement);
    }
    SUBCASE("policy_rejected otherwise") {
        Appraisal a = appraise(input, policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + std::string(96, '0') +
                                                  R"("]}})"),
                               parsed->wire.report_data, config);
        check_refused(a, "policy_rejected", "measurement_mismatch");
    }
    SUBCASE("a minimum TCB above the report's") {
        Appraisal a = appraise(input, policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement +
                                                  R"("], "min_tcb": {"snp": 9}}})"),
                               parsed->wire.report_data, config);
        check_refused(a, "policy_rejected", "tcb_too_low");
    }
    SUBCASE("at the current time (this VCEK chain is valid until 2030)") {
        config.at_time = std::nullopt;
        Appraisal a = appraise(input, policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                               parsed->wire.report_data, config);
        CHECK_MESSAGE(a.ok, a.message);
    }
}

TEST_CASE("concurrent appraisals share the collateral and policy") {
    const Bytes report = vector_bytes("snp/trustee/test-report.bin");
    auto parsed = parse_snp_report(report);
    REQUIRE(parsed.ok());
    const std::vector<Bytes> certs = {vector_bytes("snp/trustee/test-vcek.der")};
    auto collateral = load_collateral(dir_of("snp/go-sev-guest/ask_ark_milan.pem"));
    REQUIRE(collateral.ok());
    const AppraisalConfig config{.sim_public_key = nullptr, .collateral = *collateral, .at_time = kSnpPinnedTime};
    const WorkloadPolicy policy =
        policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + hex(parsed->wire.measurement) + R"("]}})");
    const std::array<uint8_t, 64> expected = parsed->wire.report_data;

    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                Appraisal a = appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = certs},
                                       policy, expected, config);
                if (a.ok)
                    ++accepted;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK(accepted == 20);
}

TEST_CASE("snp: all certificates presented, no collateral; the debug report is refused") {
    const Bytes report = vector_bytes("snp/go-sev-guest/attestation.bin");
    auto parsed = parse_snp_report(report);
    REQUIRE(parsed.ok());
    std::vector<Bytes> certs = {vector_bytes("snp/go-sev-guest/vcek.testcer")};
    auto bundle = load_cert_bundle_file(vector_path("snp/go-sev-guest/ask_ark_milan.pem"));
    REQUIRE(bundle.ok());
    for (const auto& cert : *bundle)
        certs.push_back(cert_der(cert.get()));
    AppraisalConfig config{.sim_public_key = nullptr, .collateral = nullptr, .at_time = kSnpPinnedTime};
    const std::string measurement = hex(parsed->wire.measurement);

    Appraisal a = appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = certs},
                           policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                           parsed->wire.report_data, config);
    check_refused(a, "policy_rejected", "debug_not_allowed");

    Appraisal debug_ok = appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = certs},
                                  policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement +
                                              R"("], "allow_debug": true}})"),
                                  parsed->wire.report_data, config);
    CHECK_MESSAGE(debug_ok.ok, debug_ok.message);

    SUBCASE("without the leaf the chain is incomplete") {
        std::vector<Bytes> no_leaf(certs.begin() + 1, certs.end());
        check_refused(appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = no_leaf},
                               policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                               parsed->wire.report_data, config),
                      "evidence_invalid", "missing_certificate");
    }
    SUBCASE("garbage certificate") {
        std::vector<Bytes> garbage = {Bytes{0x30, 0x03, 0x01, 0x02}};
        check_refused(appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = garbage},
                               policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                               parsed->wire.report_data, config),
                      "evidence_invalid", "malformed_certificate");
    }
    SUBCASE("too many certificates") {
        std::vector<Bytes> many(kMaxPresentedCertificates + 1, certs[0]);
        check_refused(appraise(EvidenceInput{.tee = protocol::Tee::Snp, .evidence = report, .certificates = many},
                               policy_from(R"({"tee": ["snp"], "snp": {"measurements": [")" + measurement + R"("]}})"),
                               parsed->wire.report_data, config),
                      "evidence_invalid", "too_many_certificates");
    }
}

TEST_CASE("tdx: quotes with the vectors' collateral directory at its pinned time") {
    auto collateral = load_collateral(dir_of("tdx/go-tdx-guest/sample_tcbInfo_response"));
    REQUIRE_MESSAGE(collateral.ok(), collateral.error().to_string());
    CHECK((*collateral)->tdx_used.size() == 5);  // TCB info, QE identity, issuer chain, two CRLs
    AppraisalConfig config{.sim_public_key = nullptr, .collateral = *collateral, .at_time = kTdxCollateralTime};

    const Bytes quote4 = vector_bytes("tdx/trustee/tdx_quote_4.dat");
    auto parsed = parse_tdx_quote(quote4);
    REQUIRE(parsed.ok());
    const std::string mrtd = hex(std::span<const uint8_t>(parsed->body.mrtd));
    std::array<uint8_t, 64> report_data{};
    std::copy(std::begin(parsed->body.report_data), std::end(parsed->body.report_data), report_data.begin());
    auto tdx_policy = [&](const std::string& measurement, bool allow_debug) {
        return policy_from(R"({"tee": ["tdx"], "tdx": {"measurements": [{"mrtd": ")" + measurement +
                           R"("}], "allow_debug": )" + (allow_debug ? "true" : "false") + "}}");
    };
    EvidenceInput input{.tee = protocol::Tee::Tdx, .evidence = quote4, .certificates = {}};

    SUBCASE("tdx_quote_4 with its MRTD (its DEBUG bit allowed) is accepted") {
        Appraisal a = appraise(input, tdx_policy(mrtd, true), report_data, config);
        CHECK_MESSAGE(a.ok, a.message);
        CHECK(hex(a.measurement) == mrtd);
        CHECK(a.tcb_status == "UpToDate");
    }
    SUBCASE("tdx_quote_4 is a debug TD") {
        check_refused(appraise(input, tdx_policy(mrtd, false), report_data, config), "policy_rejected",
                      "debug_not_allowed");
    }
    SUBCASE("another MRTD") {
        check_refused(appraise(input, tdx_policy(std::string(96, 'e'), true), report_data, config), "policy_rejected",
                      "measurement_mismatch");
    }
    SUBCASE("another binding") {
        std::array<uint8_t, 64> other = report_data;
        other[0] ^= 1;
        check_refused(appraise(input, tdx_policy(mrtd, true), other, config), "report_data_mismatch", "");
    }
    SUBCASE("SPR_E4 is refused for its TCB") {
        const Bytes spr = vector_bytes("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        Appraisal a = appraise(EvidenceInput{.tee = protocol::Tee::Tdx, .evidence = spr, .certificates = {}},
                               tdx_policy(std::string(96, '0'), true), report_data, config);
        check_refused(a, "evidence_invalid", "tcb_level_not_supported");
        CHECK(a.measurement.size() == 48);
    }
    SUBCASE("no collateral configured") {
        config.collateral = nullptr;
        check_refused(appraise(input, tdx_policy(mrtd, true), report_data, config), "evidence_invalid",
                      "missing_collateral");
    }
}

TEST_CASE("load_collateral names a missing directory") {
    auto missing = load_collateral("/nonexistent/collateral");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().to_string().find("/nonexistent/collateral") != std::string::npos);
}
