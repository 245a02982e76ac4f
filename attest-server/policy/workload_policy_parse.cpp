// parse_workload_policy: the strict reader of the policy JSON (workload_policy.h). Every field
// is checked for type and range, and the error names its path from "policy".
#include <algorithm>
#include <array>
#include <exception>
#include <initializer_list>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "evidence/x509/digest.h"
#include "policy/workload_policy.h"

namespace cw::attest::policy {

namespace {

using nlohmann::json;

constexpr int kMaxDepth = 8;  // policy objects nest four deep; anything deeper is not a policy

Error bad(const std::string& path, const std::string& what) { return Error::msg(path + ": " + what); }

// Parses with duplicate keys refused (two "allow_debug" keys would mean whatever the last
// parser to read them decides) and nesting bounded.
Result<json> parse_json(std::string_view text) {
    if (text.size() > kMaxPolicyJsonSize)
        return bad("policy", "larger than " + std::to_string(kMaxPolicyJsonSize) + " bytes");
    std::vector<std::set<std::string>> keys;
    std::string duplicate;
    bool too_deep = false;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth > kMaxDepth)
            too_deep = true;
        if (event == json::parse_event_t::object_start) {
            keys.emplace_back();
        } else if (event == json::parse_event_t::object_end) {
            if (!keys.empty())
                keys.pop_back();
        } else if (event == json::parse_event_t::key && !keys.empty() && parsed.is_string()) {
            if (!keys.back().insert(parsed.get<std::string>()).second && duplicate.empty())
                duplicate = parsed.get<std::string>();
        }
        return true;
    };
    json doc;
    try {
        doc = json::parse(text.begin(), text.end(), callback);
    } catch (const std::exception& e) {
        return bad("policy", std::string("not valid JSON: ") + e.what());
    }
    if (too_deep)
        return bad("policy", "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (!duplicate.empty())
        return bad("policy", "duplicate key \"" + duplicate + "\"");
    return doc;
}

Result<void> expect_object(const json& j, const std::string& path, std::initializer_list<std::string_view> allowed) {
    if (!j.is_object())
        return bad(path, "expected an object");
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            return bad(path + "." + key, "unknown field");
    }
    return {};
}

// The array at `path` with 1..max elements.
Result<void> expect_array(const json& j, const std::string& path, size_t max) {
    if (!j.is_array())
        return bad(path, "expected an array");
    if (j.empty())
        return bad(path, "expected at least one entry");
    if (j.size() > max)
        return bad(path, "more than " + std::to_string(max) + " entries");
    return {};
}

template <size_t N>
Result<std::array<uint8_t, N>> hex_value(const json& j, const std::string& path) {
    const std::string expected = "expected " + std::to_string(2 * N) + " hex characters";
    if (!j.is_string())
        return bad(path, expected);
    const auto& text = j.get_ref<const std::string&>();
    auto bytes = text.size() == 2 * N ? from_hex(text) : std::nullopt;
    if (!bytes)
        return bad(path, expected);
    std::array<uint8_t, N> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

// An optional boolean; absent is false (the fail-closed value of every flag in the policy).
Result<bool> bool_field(const json& obj, const char* key, const std::string& path) {
    if (!obj.contains(key))
        return false;
    const json& j = obj.at(key);
    if (!j.is_boolean())
        return bad(path + "." + key, "expected true or false");
    return j.get<bool>();
}

// An optional unsigned integer up to `max`; absent is 0.
Result<uint64_t> uint_field(const json& obj, const char* key, uint64_t max, const std::string& path) {
    if (!obj.contains(key))
        return uint64_t{0};
    const json& j = obj.at(key);
    if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
        return bad(path + "." + key, "expected an integer from 0 to " + std::to_string(max));
    return j.get<uint64_t>();
}

Result<std::vector<SnpMeasurement>> snp_measurements(const json& obj, const std::string& path) {
    const std::string list_path = path + ".measurements";
    if (!obj.contains("measurements"))
        return bad(list_path, "required (at least one launch digest)");
    const json& list = obj.at("measurements");
    CW_TRY(expect_array(list, list_path, kMaxMeasurements));
    std::vector<SnpMeasurement> out;
    for (size_t i = 0; i < list.size(); ++i)
        out.push_back(CW_TRY(hex_value<48>(list[i], list_path + "[" + std::to_string(i) + "]")));
    return out;
}

Result<SnpTcb> min_tcb(const json& j, const std::string& path) {
    CW_TRY(expect_object(j, path, {"bootloader", "tee", "snp", "microcode", "fmc"}));
    auto component = [&](const char* key) -> Result<uint8_t> {
        return static_cast<uint8_t>(CW_TRY(uint_field(j, key, 255, path)));
    };
    SnpTcb tcb;
    tcb.boot_loader = CW_TRY(component("bootloader"));
    tcb.tee = CW_TRY(component("tee"));
    tcb.snp = CW_TRY(component("snp"));
    tcb.microcode = CW_TRY(component("microcode"));
    tcb.fmc = CW_TRY(component("fmc"));
    return tcb;
}

Result<SnpPolicyRequirements> snp_section(const json& j, const std::string& path) {
    CW_TRY(expect_object(j, path, {"measurements", "allow_debug", "vmpl", "min_guest_svn", "min_tcb", "host_data"}));
    SnpPolicyRequirements req;
    req.allowed_measurements = CW_TRY(snp_measurements(j, path));
    req.allow_debug = CW_TRY(bool_field(j, "allow_debug", path));
    req.required_vmpl = static_cast<uint32_t>(CW_TRY(uint_field(j, "vmpl", 3, path)));
    req.min_guest_svn = static_cast<uint32_t>(CW_TRY(uint_field(j, "min_guest_svn", std::numeric_limits<uint32_t>::max(), path)));
    if (j.contains("min_tcb"))
        req.min_reported_tcb = CW_TRY(min_tcb(j.at("min_tcb"), path + ".min_tcb"));
    if (j.contains("host_data"))
        req.host_data = CW_TRY(hex_value<32>(j.at("host_data"), path + ".host_data"));
    return req;
}

// Sim evidence is always a non-debug VMPL 0 report (sim_report.h): only what the launch chose
// (measurement, host data) is the workload's to say.
Result<SnpPolicyRequirements> sim_section(const json& j, const std::string& path) {
    CW_TRY(expect_object(j, path, {"measurements", "host_data"}));
    SnpPolicyRequirements req;
    req.allowed_measurements = CW_TRY(snp_measurements(j, path));
    req.allow_debug = false;
    req.required_vmpl = 0;
    if (j.contains("host_data"))
        req.host_data = CW_TRY(hex_value<32>(j.at("host_data"), path + ".host_data"));
    return req;
}

Result<TdxMeasurement> tdx_measurement(const json& j, const std::string& path) {
    CW_TRY(expect_object(j, path, {"mrtd", "rtmr"}));
    if (!j.contains("mrtd"))
        return bad(path + ".mrtd", "required");
    TdxMeasurement m;
    m.mrtd = CW_TRY(hex_value<48>(j.at("mrtd"), path + ".mrtd"));
    if (!j.contains("rtmr"))
        return m;
    const json& rtmr = j.at("rtmr");
    if (!rtmr.is_array() || rtmr.size() != m.rtmr.size())
        return bad(path + ".rtmr", "expected an array of 4 entries (hex or null)");
    for (size_t i = 0; i < m.rtmr.size(); ++i) {
        if (!rtmr[i].is_null())
            m.rtmr[i] = CW_TRY(hex_value<48>(rtmr[i], path + ".rtmr[" + std::to_string(i) + "]"));
    }
    return m;
}

Result<std::vector<TcbStatus>> tcb_statuses(const json& j, const std::string& path) {
    CW_TRY(expect_array(j, path, 8));
    std::vector<TcbStatus> out;
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string item = path + "[" + std::to_string(i) + "]";
        auto status = j[i].is_string() ? parse_tcb_status(j[i].get_ref<const std::string&>()) : std::nullopt;
        if (!status)
            return bad(item, "expected a PCS TCB status name (UpToDate, SWHardeningNeeded, ...)");
        if (*status == TcbStatus::Revoked)
            return bad(item, "Revoked is never accepted");
        if (std::find(out.begin(), out.end(), *status) != out.end())
            return bad(item, "listed twice");
        out.push_back(*status);
    }
    return out;
}

Result<TdxPolicy> tdx_section(const json& j, const std::string& path) {
    CW_TRY(expect_object(j, path, {"measurements", "accepted_tcb_statuses", "allow_debug", "mrconfigid"}));
    TdxPolicy policy;
    const std::string list_path = path + ".measurements";
    if (!j.contains("measurements"))
        return bad(list_path, "required (at least one MRTD)");
    const json& list = j.at("measurements");
    CW_TRY(expect_array(list, list_path, kMaxMeasurements));
    for (size_t i = 0; i < list.size(); ++i)
        policy.allowed_measurements.push_back(CW_TRY(tdx_measurement(list[i], list_path + "[" + std::to_string(i) + "]")));
    if (j.contains("accepted_tcb_statuses"))
        policy.accepted_tcb_statuses = CW_TRY(tcb_statuses(j.at("accepted_tcb_statuses"), path + ".accepted_tcb_statuses"));
    policy.allow_debug = CW_TRY(bool_field(j, "allow_debug", path));
    if (j.contains("mrconfigid"))
        policy.expected_mrconfigid = CW_TRY(hex_value<48>(j.at("mrconfigid"), path + ".mrconfigid"));
    return policy;
}

Result<std::vector<protocol::Tee>> tee_list(const json& obj) {
    if (!obj.contains("tee"))
        return bad("policy.tee", "required");
    const json& list = obj.at("tee");
    CW_TRY(expect_array(list, "policy.tee", 3));
    std::vector<protocol::Tee> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string item = "policy.tee[" + std::to_string(i) + "]";
        auto tee = list[i].is_string() ? protocol::parse_tee(list[i].get_ref<const std::string&>()) : std::nullopt;
        if (!tee)
            return bad(item, "expected \"snp\", \"tdx\" or \"sim\"");
        if (std::find(out.begin(), out.end(), *tee) != out.end())
            return bad(item, "listed twice");
        out.push_back(*tee);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

Result<WorkloadPolicy> parse_workload_policy(std::string_view text) {
    json doc = CW_TRY(parse_json(text));
    CW_TRY(expect_object(doc, "policy", {"tee", "snp", "tdx", "sim"}));
    WorkloadPolicy policy;
    policy.tees = CW_TRY(tee_list(doc));
    // Sections of TEEs not listed are still checked (and kept): listing the TEE later must not
    // activate a section nobody validated.
    if (doc.contains("snp"))
        policy.snp = CW_TRY(snp_section(doc.at("snp"), "policy.snp"));
    if (doc.contains("tdx"))
        policy.tdx = CW_TRY(tdx_section(doc.at("tdx"), "policy.tdx"));
    if (doc.contains("sim"))
        policy.sim = CW_TRY(sim_section(doc.at("sim"), "policy.sim"));
    for (protocol::Tee tee : policy.tees) {
        std::string name(protocol::tee_name(tee));
        if (!doc.contains(name))
            return bad("policy." + name, "required because policy.tee lists \"" + name + "\"");
    }
    return policy;
}

}  // namespace cw::attest::policy
