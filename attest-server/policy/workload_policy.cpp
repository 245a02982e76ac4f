// workload_policy_to_json: the canonical form the store keeps and the admin API returns.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "evidence/x509/digest.h"
#include "policy/workload_policy.h"

namespace cw::attest::policy {

namespace {

using nlohmann::json;

json measurement_list(const std::vector<SnpMeasurement>& measurements) {
    json out = json::array();
    for (const auto& m : measurements)
        out.push_back(to_hex_lower(m));
    return out;
}

json snp_json(const SnpPolicyRequirements& req) {
    // required_vmpl is always set by the parser; a hand-built "any VMPL" has no JSON spelling
    // and is written as the strictest value rather than widened.
    json j = {{"measurements", measurement_list(req.allowed_measurements)},
              {"allow_debug", req.allow_debug},
              {"vmpl", req.required_vmpl.value_or(0)},
              {"min_guest_svn", req.min_guest_svn}};
    if (req.min_reported_tcb) {
        const SnpTcb& t = *req.min_reported_tcb;
        j["min_tcb"] = {{"bootloader", t.boot_loader}, {"tee", t.tee}, {"snp", t.snp},
                        {"microcode", t.microcode}, {"fmc", t.fmc}};
    }
    if (req.host_data)
        j["host_data"] = to_hex_lower(*req.host_data);
    return j;
}

json sim_json(const SnpPolicyRequirements& req) {
    json j = {{"measurements", measurement_list(req.allowed_measurements)}};
    if (req.host_data)
        j["host_data"] = to_hex_lower(*req.host_data);
    return j;
}

json tdx_json(const TdxPolicy& policy) {
    json measurements = json::array();
    for (const TdxMeasurement& m : policy.allowed_measurements) {
        json entry = {{"mrtd", to_hex_lower(m.mrtd)}};
        if (std::any_of(m.rtmr.begin(), m.rtmr.end(), [](const auto& r) { return r.has_value(); })) {
            json rtmr = json::array();
            for (const auto& r : m.rtmr)
                rtmr.push_back(r ? json(to_hex_lower(*r)) : json(nullptr));
            entry["rtmr"] = rtmr;
        }
        measurements.push_back(entry);
    }
    json statuses = json::array();
    for (TcbStatus status : policy.accepted_tcb_statuses)
        statuses.push_back(tcb_status_name(status));
    json j = {{"measurements", measurements}, {"accepted_tcb_statuses", statuses}, {"allow_debug", policy.allow_debug}};
    if (policy.expected_mrconfigid)
        j["mrconfigid"] = to_hex_lower(*policy.expected_mrconfigid);
    return j;
}

}  // namespace

bool policy_allows(const WorkloadPolicy& policy, protocol::Tee tee) {
    return std::find(policy.tees.begin(), policy.tees.end(), tee) != policy.tees.end();
}

std::string workload_policy_to_json(const WorkloadPolicy& policy) {
    json tees = json::array();
    for (protocol::Tee tee : policy.tees)
        tees.push_back(protocol::tee_name(tee));
    json j = {{"tee", tees}};
    if (policy.snp)
        j["snp"] = snp_json(*policy.snp);
    if (policy.tdx)
        j["tdx"] = tdx_json(*policy.tdx);
    if (policy.sim)
        j["sim"] = sim_json(*policy.sim);
    return j.dump();
}

}  // namespace cw::attest::policy
