#include <doctest/doctest.h>

#include <string>

#include "policy/workload_policy.h"

using namespace cw::attest;
using namespace cw::attest::policy;

namespace {

const std::string kM1(96, 'a');
const std::string kM2(96, 'B');
const std::string kHost(64, '1');

// The doc's full example, every field set.
std::string full_policy() {
    return R"({"tee": ["sim", "snp", "tdx"],
      "snp": {"measurements": [")" + kM1 + R"(", ")" + kM2 + R"("], "allow_debug": false, "vmpl": 1,
              "min_guest_svn": 4, "min_tcb": {"bootloader": 3, "tee": 0, "snp": 8, "microcode": 115, "fmc": 0},
              "host_data": ")" + kHost + R"("},
      "tdx": {"measurements": [{"mrtd": ")" + kM1 + R"(", "rtmr": [")" + kM2 + R"(", null, null, null]},
                               {"mrtd": ")" + kM2 + R"("}],
              "accepted_tcb_statuses": ["UpToDate", "SWHardeningNeeded"], "allow_debug": true,
              "mrconfigid": ")" + kM2 + R"("},
      "sim": {"measurements": [")" + kM1 + R"("], "host_data": ")" + kHost + R"("}})";
}

// The error message of a policy that must be refused.
std::string refusal(const std::string& json) {
    auto parsed = parse_workload_policy(json);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().to_string();
}

std::string sim_only(const std::string& sim_section) { return R"({"tee": ["sim"], "sim": )" + sim_section + "}"; }

}  // namespace

TEST_CASE("the full example parses onto the evidence library's requirements") {
    auto parsed = parse_workload_policy(full_policy());
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().to_string());
    const WorkloadPolicy& p = *parsed;
    CHECK(p.tees == std::vector<protocol::Tee>{protocol::Tee::Snp, protocol::Tee::Tdx, protocol::Tee::Sim});  // enum order

    REQUIRE(p.snp);
    REQUIRE(p.snp->allowed_measurements.size() == 2);
    CHECK(p.snp->allowed_measurements[0][0] == 0xaa);
    CHECK(p.snp->allowed_measurements[1][47] == 0xbb);
    CHECK_FALSE(p.snp->allow_debug);
    CHECK(p.snp->required_vmpl == 1U);
    CHECK(p.snp->min_guest_svn == 4);
    REQUIRE(p.snp->min_reported_tcb);
    CHECK(p.snp->min_reported_tcb->boot_loader == 3);
    CHECK(p.snp->min_reported_tcb->snp == 8);
    CHECK(p.snp->min_reported_tcb->microcode == 115);
    REQUIRE(p.snp->host_data);
    CHECK((*p.snp->host_data)[31] == 0x11);
    CHECK_FALSE(p.snp->report_data);

    REQUIRE(p.tdx);
    REQUIRE(p.tdx->allowed_measurements.size() == 2);
    CHECK(p.tdx->allowed_measurements[0].rtmr[0].has_value());
    CHECK_FALSE(p.tdx->allowed_measurements[0].rtmr[1].has_value());
    CHECK_FALSE(p.tdx->allowed_measurements[1].rtmr[0].has_value());
    CHECK(p.tdx->accepted_tcb_statuses == std::vector<TcbStatus>{TcbStatus::UpToDate, TcbStatus::SWHardeningNeeded});
    CHECK(p.tdx->allow_debug);
    CHECK(p.tdx->expected_mrconfigid.has_value());
    CHECK_FALSE(p.tdx->expected_report_data);

    REQUIRE(p.sim);
    CHECK(p.sim->allowed_measurements.size() == 1);
    CHECK_FALSE(p.sim->allow_debug);
    CHECK(p.sim->required_vmpl == 0U);
    CHECK(p.sim->host_data.has_value());
}

TEST_CASE("defaults are the fail-closed values") {
    auto parsed = parse_workload_policy(R"({"tee": ["snp", "tdx"], "snp": {"measurements": [")" + kM1 +
                                        R"("]}, "tdx": {"measurements": [{"mrtd": ")" + kM1 + R"("}]}})");
    REQUIRE_MESSAGE(parsed.ok(), parsed.error().to_string());
    CHECK_FALSE(parsed->snp->allow_debug);
    CHECK(parsed->snp->required_vmpl == 0U);
    CHECK_FALSE(parsed->snp->min_reported_tcb);
    CHECK_FALSE(parsed->snp->host_data);
    CHECK(parsed->tdx->accepted_tcb_statuses == std::vector<TcbStatus>{TcbStatus::UpToDate});
    CHECK_FALSE(parsed->tdx->allow_debug);
    CHECK_FALSE(parsed->tdx->expected_mrconfigid);
}

TEST_CASE("the canonical form round-trips") {
    auto parsed = parse_workload_policy(full_policy());
    REQUIRE(parsed.ok());
    std::string canonical = workload_policy_to_json(*parsed);
    CHECK(canonical.find("aaaa") != std::string::npos);
    CHECK(canonical.find("BBBB") == std::string::npos);  // hex is written lowercase
    CHECK(canonical.find(' ') == std::string::npos);
    auto again = parse_workload_policy(canonical);
    REQUIRE_MESSAGE(again.ok(), again.error().to_string());
    CHECK(workload_policy_to_json(*again) == canonical);
    CHECK(again->tees == parsed->tees);
    CHECK(again->snp->min_reported_tcb == parsed->snp->min_reported_tcb);
    CHECK(again->tdx->allowed_measurements[0].rtmr[0] == parsed->tdx->allowed_measurements[0].rtmr[0]);

    auto minimal = parse_workload_policy(sim_only(R"({"measurements": [")" + kM1 + R"("]})"));
    REQUIRE(minimal.ok());
    CHECK(workload_policy_to_json(*minimal) == R"({"sim":{"measurements":[")" + kM1 + R"("]},"tee":["sim"]})");
}

TEST_CASE("malformed policies are refused, naming the field path") {
    auto with_m = [](const std::string& extra) { return sim_only(R"({"measurements": [")" + std::string(96, 'a') + R"("])" + extra + "}"); };

    CHECK(refusal("not json") .find("policy: not valid JSON") == 0);
    CHECK(refusal("[]") == "policy: expected an object");
    CHECK(refusal(R"({"tee": ["sim"], "sim": {"measurements": [")" + kM1 + R"("]}, "extra": 1})") == "policy.extra: unknown field");
    CHECK(refusal(R"({"sim": {"measurements": [")" + kM1 + R"("]}})") == "policy.tee: required");
    CHECK(refusal(R"({"tee": [], "sim": {}})") == "policy.tee: expected at least one entry");
    CHECK(refusal(R"({"tee": ["sgx"]})") == "policy.tee[0]: expected \"snp\", \"tdx\" or \"sim\"");
    CHECK(refusal(R"({"tee": ["sim", "sim"]})") == "policy.tee[1]: listed twice");
    CHECK(refusal(R"({"tee": ["snp"]})") == "policy.snp: required because policy.tee lists \"snp\"");
    CHECK(refusal(sim_only("{}")) == "policy.sim.measurements: required (at least one launch digest)");
    CHECK(refusal(sim_only(R"({"measurements": []})")) == "policy.sim.measurements: expected at least one entry");
    CHECK(refusal(sim_only(R"({"measurements": [")" + kM1 + R"(", ")" + std::string(94, 'a') + R"("]})")) ==
          "policy.sim.measurements[1]: expected 96 hex characters");
    CHECK(refusal(sim_only(R"({"measurements": [")" + std::string(95, 'a') + R"(g"]})")) ==
          "policy.sim.measurements[0]: expected 96 hex characters");
    CHECK(refusal(with_m(R"(, "host_data": ")" + std::string(62, '0') + R"(")")) ==
          "policy.sim.host_data: expected 64 hex characters");
    CHECK(refusal(with_m(R"(, "allow_debug": true)")) == "policy.sim.allow_debug: unknown field");
    CHECK(refusal(with_m(R"(, "host_data": ")" + kHost + R"(", "host_data": ")" + kHost + R"(")")) ==
          "policy: duplicate key \"host_data\"");

    auto snp = [](const std::string& extra) {
        return R"({"tee": ["snp"], "snp": {"measurements": [")" + std::string(96, 'a') + R"("])" + extra + "}}";
    };
    CHECK(refusal(snp(R"(, "allow_debug": "no")")) == "policy.snp.allow_debug: expected true or false");
    CHECK(refusal(snp(R"(, "vmpl": 4)")) == "policy.snp.vmpl: expected an integer from 0 to 3");
    CHECK(refusal(snp(R"(, "vmpl": -1)")) == "policy.snp.vmpl: expected an integer from 0 to 3");
    CHECK(refusal(snp(R"(, "min_guest_svn": 1.5)")) == "policy.snp.min_guest_svn: expected an integer from 0 to 4294967295");
    CHECK(refusal(snp(R"(, "min_tcb": {"snp": 256})")) == "policy.snp.min_tcb.snp: expected an integer from 0 to 255");
    CHECK(refusal(snp(R"(, "min_tcb": {"ucode": 1})")) == "policy.snp.min_tcb.ucode: unknown field");
    CHECK(refusal(snp(R"(, "report_data": "00")")) == "policy.snp.report_data: unknown field");

    auto tdx = [](const std::string& measurement, const std::string& extra) {
        return R"({"tee": ["tdx"], "tdx": {"measurements": [)" + measurement + "]" + extra + "}}";
    };
    const std::string ok_m = R"({"mrtd": ")" + kM1 + R"("})";
    CHECK(refusal(tdx(R"({"rtmr": []})", "")) == "policy.tdx.measurements[0].mrtd: required");
    CHECK(refusal(tdx(ok_m + R"(, {"mrtd": ")" + kM1 + R"(", "rtmr": [null, null, null]})", "")) ==
          "policy.tdx.measurements[1].rtmr: expected an array of 4 entries (hex or null)");
    CHECK(refusal(tdx(R"({"mrtd": ")" + kM1 + R"(", "rtmr": [null, null, "00", null]})", "")) ==
          "policy.tdx.measurements[0].rtmr[2]: expected 96 hex characters");
    CHECK(refusal(tdx(ok_m, R"(, "accepted_tcb_statuses": ["UpToDate", "Fine"])")) ==
          "policy.tdx.accepted_tcb_statuses[1]: expected a PCS TCB status name (UpToDate, SWHardeningNeeded, ...)");
    CHECK(refusal(tdx(ok_m, R"(, "accepted_tcb_statuses": ["Revoked"])")) ==
          "policy.tdx.accepted_tcb_statuses[0]: Revoked is never accepted");
    CHECK(refusal(tdx(ok_m, R"(, "accepted_tcb_statuses": [])")) ==
          "policy.tdx.accepted_tcb_statuses: expected at least one entry");
    CHECK(refusal(tdx(ok_m, R"(, "mrconfigid": 7)")) == "policy.tdx.mrconfigid: expected 96 hex characters");
    CHECK(refusal(tdx(ok_m, R"(, "mrtd": ")" + kM1 + R"(")")) == "policy.tdx.mrtd: unknown field");
}

TEST_CASE("a section of an unlisted TEE is still validated") {
    CHECK(refusal(R"({"tee": ["sim"], "sim": {"measurements": [")" + kM1 + R"("]}, "snp": {"measurements": ["00"]}})") ==
          "policy.snp.measurements[0]: expected 96 hex characters");
    auto kept = parse_workload_policy(R"({"tee": ["sim"], "sim": {"measurements": [")" + kM1 +
                                      R"("]}, "snp": {"measurements": [")" + kM1 + R"("]}})");
    REQUIRE(kept.ok());
    CHECK(kept->snp.has_value());
    CHECK_FALSE(policy_allows(*kept, protocol::Tee::Snp));
    CHECK(policy_allows(*kept, protocol::Tee::Sim));
}

TEST_CASE("size and nesting are bounded") {
    CHECK(refusal(std::string(kMaxPolicyJsonSize + 1, ' ')).find("larger than") != std::string::npos);
    std::string deep = std::string(20, '[') + std::string(20, ']');
    CHECK(refusal(R"({"tee": )" + deep + "}").find("nested deeper") != std::string::npos);
}

TEST_CASE("tee names") {
    CHECK(protocol::tee_name(protocol::Tee::Tdx) == "tdx");
    CHECK(protocol::parse_tee("sim") == protocol::Tee::Sim);
    CHECK_FALSE(protocol::parse_tee("SNP"));
}
