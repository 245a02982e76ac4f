// Workload policy over the verified real reports: one test per refusal reason.
#include <doctest/doctest.h>

#include "evidence/snp/snp_policy.h"
#include "evidence/snp/snp_test_support.h"

namespace cw::attest {
namespace {

SnpReport report_of(std::string_view path) {
    auto r = parse_snp_report(testing::vector_bytes(path));
    REQUIRE(r.ok());
    return std::move(r).value();
}

// Accepts the report as it is (its own measurement, VMPL 0, DEBUG off).
SnpPolicyRequirements accepting(const SnpReport& report) {
    SnpPolicyRequirements req;
    req.allowed_measurements = {report.wire.measurement};
    return req;
}

TEST_CASE("test-report.bin passes a DEBUG=0 / VMPL 0 policy with its measurement and TCB floor") {
    SnpReport report = report_of(testing::kTrusteeReport);
    SnpPolicyRequirements req = accepting(report);
    req.min_reported_tcb = SnpTcb{.boot_loader = 3, .tee = 0, .snp = 8, .microcode = 0x73};
    req.min_guest_svn = 4;
    req.min_abi_major = 0;
    req.min_abi_minor = 31;
    req.host_data = report.wire.host_data;
    req.report_data = report.wire.report_data;
    SnpPolicyVerdict v = evaluate_snp_policy(report, SnpProduct::Milan, req);
    CHECK_MESSAGE(v.ok(), v.message);
}

TEST_CASE("attestation.bin is refused: DEBUG is set") {
    SnpReport report = report_of(testing::kGsgReport);
    SnpPolicyVerdict v = evaluate_snp_policy(report, SnpProduct::Milan, accepting(report));
    CHECK(v.reason == SnpPolicyReason::DebugNotAllowed);
    CHECK(snp_policy_reason_code(v.reason) == "debug_not_allowed");
    SnpPolicyRequirements lax = accepting(report);
    lax.allow_debug = true;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, lax).ok());
}

TEST_CASE("the VLEK report is refused by a VMPL-0 policy") {
    SnpReport report = report_of(testing::kVlekReport);
    SnpPolicyVerdict v = evaluate_snp_policy(report, SnpProduct::Milan, accepting(report));
    CHECK(v.reason == SnpPolicyReason::VmplMismatch);
    SnpPolicyRequirements vmpl1 = accepting(report);
    vmpl1.required_vmpl = 1;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, vmpl1).ok());
}

TEST_CASE("minimum TCB: one component below refuses; unknown product refuses") {
    SnpReport report = report_of(testing::kTrusteeReport);
    SnpPolicyRequirements req = accepting(report);
    req.min_reported_tcb = SnpTcb{.snp = 9};
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::TcbTooLow);
    // CURRENT_TCB (ucode 0xCE) is higher, but REPORTED_TCB (0x73) is what counts.
    req.min_reported_tcb = SnpTcb{.microcode = 0xCE};
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::TcbTooLow);
    req.min_reported_tcb = SnpTcb{};
    CHECK(evaluate_snp_policy(report, SnpProduct::Unknown, req).reason == SnpPolicyReason::TcbUnknownProduct);
}

TEST_CASE("measurement: no registered digest and a wrong digest both refuse") {
    SnpReport report = report_of(testing::kTrusteeReport);
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, SnpPolicyRequirements{}).reason ==
          SnpPolicyReason::NoMeasurementConfigured);
    SnpPolicyRequirements req;
    SnpMeasurement other = report.wire.measurement;
    other[47] ^= 1;
    req.allowed_measurements = {other};
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::MeasurementMismatch);
    req.allowed_measurements.push_back(report.wire.measurement);
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).ok());
}

TEST_CASE("guest SVN, ABI, HOST_DATA and REPORT_DATA refusals") {
    SnpReport report = report_of(testing::kTrusteeReport);
    SnpPolicyRequirements req = accepting(report);
    req.min_guest_svn = 5;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::GuestSvnTooLow);
    req = accepting(report);
    req.min_abi_major = 1;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::AbiTooLow);
    req = accepting(report);
    req.host_data = std::array<uint8_t, 32>{};
    req.host_data->at(0) = 1;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::HostDataMismatch);
    req = accepting(report);
    req.report_data = std::array<uint8_t, 64>{};
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::ReportDataMismatch);
}

TEST_CASE("MIGRATE_MA is refused unless allowed") {
    SnpReport report = report_of(testing::kTrusteeReport);
    report.policy.migrate_ma = true;
    SnpPolicyRequirements req = accepting(report);
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).reason == SnpPolicyReason::MigrationAgentNotAllowed);
    req.allow_migrate_ma = true;
    CHECK(evaluate_snp_policy(report, SnpProduct::Milan, req).ok());
}

}  // namespace
}  // namespace cw::attest
