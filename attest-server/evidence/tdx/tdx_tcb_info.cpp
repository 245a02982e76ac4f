#include "evidence/tdx/tdx_tcb_info.h"

#include "evidence/tdx/json_fields.h"

namespace cw::attest {

namespace {

using tdx::Json;

// An array of exactly 16 `{"svn": n, ...}` objects.
Result<std::array<uint8_t, 16>> components(const Json& tcb, std::string_view key) {
    const Json* list = CW_TRY(tdx::array_member(tcb, key));
    std::array<uint8_t, 16> out{};
    if (list->size() != out.size())
        return Error::msg("\"" + std::string(key) + "\" has " + std::to_string(list->size()) + " entries, expected 16");
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<uint8_t>(CW_TRY(tdx::uint_member((*list)[i], "svn", UINT8_MAX)));
    return out;
}

Result<TcbInfoLevel> parse_level(const Json& level) {
    TcbInfoLevel out;
    const Json* tcb = CW_TRY(tdx::member(level, "tcb"));
    out.sgx_components = CW_TRY(components(*tcb, "sgxtcbcomponents"));
    out.pcesvn = static_cast<uint16_t>(CW_TRY(tdx::uint_member(*tcb, "pcesvn", UINT16_MAX)));
    out.tdx_components = CW_TRY(components(*tcb, "tdxtcbcomponents"));
    out.tcb_date = CW_TRY(tdx::date_member(level, "tcbDate"));
    out.status = CW_TRY(tdx::tcb_status_member(level));
    if (level.contains("advisoryIDs")) {
        const Json* ids = CW_TRY(tdx::array_member(level, "advisoryIDs"));
        for (const Json& id : *ids) {
            if (!id.is_string())
                return Error::msg("\"advisoryIDs\" holds a non-string");
            out.advisory_ids.push_back(id.get_ref<const std::string&>());
        }
    }
    return out;
}

Result<TdxModuleInfo> parse_module(const Json& module) {
    TdxModuleInfo out;
    out.mrsigner = CW_TRY(tdx::hex_member<48>(module, "mrsigner"));
    out.attributes = CW_TRY(tdx::hex_member<8>(module, "attributes"));
    out.attributes_mask = CW_TRY(tdx::hex_member<8>(module, "attributesMask"));
    return out;
}

Result<TdxModuleIdentity> parse_module_identity(const Json& identity) {
    TdxModuleIdentity out;
    out.id = CW_TRY(tdx::string_member(identity, "id"));
    out.module = CW_TRY(parse_module(identity));
    const Json* levels = CW_TRY(tdx::array_member(identity, "tcbLevels"));
    for (const Json& level : *levels) {
        TdxModuleIdentity::Level parsed;
        const Json* tcb = CW_TRY(tdx::member(level, "tcb"));
        parsed.isvsvn = static_cast<uint8_t>(CW_TRY(tdx::uint_member(*tcb, "isvsvn", UINT8_MAX)));
        parsed.tcb_date = CW_TRY(tdx::date_member(level, "tcbDate"));
        parsed.status = CW_TRY(tdx::tcb_status_member(level));
        out.levels.push_back(parsed);
    }
    return out;
}

Result<TcbInfo> parse(const Json& json) {
    TcbInfo info;
    if (auto id = CW_TRY(tdx::string_member(json, "id")); id != "TDX")
        return Error::msg("id \"" + id.substr(0, 64) + "\" is not \"TDX\"");
    info.version = static_cast<uint32_t>(CW_TRY(tdx::uint_member(json, "version", UINT32_MAX)));
    if (info.version != 3)
        return Error::msg("version " + std::to_string(info.version) + " is not 3");
    if (CW_TRY(tdx::uint_member(json, "tcbType", UINT32_MAX)) != 0)
        return Error::msg("tcbType is not 0");
    info.issue_date = CW_TRY(tdx::date_member(json, "issueDate"));
    info.next_update = CW_TRY(tdx::date_member(json, "nextUpdate"));
    info.fmspc = CW_TRY(tdx::hex_member<6>(json, "fmspc"));
    info.pceid = CW_TRY(tdx::hex_member<2>(json, "pceId"));
    info.tcb_evaluation_data_number =
        static_cast<uint32_t>(CW_TRY(tdx::uint_member(json, "tcbEvaluationDataNumber", UINT32_MAX)));
    const Json* module = CW_TRY(tdx::member(json, "tdxModule"));
    info.tdx_module = CW_TRY(parse_module(*module).context("\"tdxModule\""));
    if (json.contains("tdxModuleIdentities")) {
        for (const Json& identity : *CW_TRY(tdx::array_member(json, "tdxModuleIdentities")))
            info.module_identities.push_back(
                CW_TRY(parse_module_identity(identity).context("\"tdxModuleIdentities\"")));
    }
    const Json* levels = CW_TRY(tdx::array_member(json, "tcbLevels"));
    if (levels->empty())
        return Error::msg("\"tcbLevels\" is empty");
    for (size_t i = 0; i < levels->size(); ++i)
        info.levels.push_back(CW_TRY(parse_level((*levels)[i]).context("tcbLevels[" + std::to_string(i) + "]")));
    return info;
}

}  // namespace

Result<TcbInfo> parse_tcb_info(std::string_view tcb_info_json) {
    auto json = CW_TRY(tdx::parse_json(tcb_info_json, "tcbInfo"));
    return parse(json).context("tcbInfo");
}

}  // namespace cw::attest
