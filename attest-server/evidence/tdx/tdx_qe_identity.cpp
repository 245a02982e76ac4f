#include "evidence/tdx/tdx_qe_identity.h"

#include <algorithm>
#include <cstring>

#include "evidence/tdx/json_fields.h"

namespace cw::attest {

namespace {

using tdx::Json;

Result<QeIdentity::Level> parse_level(const Json& level) {
    QeIdentity::Level out;
    const Json* tcb = CW_TRY(tdx::member(level, "tcb"));
    out.isvsvn = static_cast<uint16_t>(CW_TRY(tdx::uint_member(*tcb, "isvsvn", UINT16_MAX)));
    out.tcb_date = CW_TRY(tdx::date_member(level, "tcbDate"));
    out.status = CW_TRY(tdx::tcb_status_member(level));
    return out;
}

Result<QeIdentity> parse(const Json& json) {
    QeIdentity id;
    if (auto name = CW_TRY(tdx::string_member(json, "id")); name != "TD_QE")
        return Error::msg("id \"" + name.substr(0, 64) + "\" is not \"TD_QE\"");
    id.version = static_cast<uint32_t>(CW_TRY(tdx::uint_member(json, "version", UINT32_MAX)));
    if (id.version != 2)
        return Error::msg("version " + std::to_string(id.version) + " is not 2");
    id.issue_date = CW_TRY(tdx::date_member(json, "issueDate"));
    id.next_update = CW_TRY(tdx::date_member(json, "nextUpdate"));
    id.tcb_evaluation_data_number =
        static_cast<uint32_t>(CW_TRY(tdx::uint_member(json, "tcbEvaluationDataNumber", UINT32_MAX)));
    id.miscselect = CW_TRY(tdx::hex_member<4>(json, "miscselect"));
    id.miscselect_mask = CW_TRY(tdx::hex_member<4>(json, "miscselectMask"));
    id.attributes = CW_TRY(tdx::hex_member<16>(json, "attributes"));
    id.attributes_mask = CW_TRY(tdx::hex_member<16>(json, "attributesMask"));
    id.mrsigner = CW_TRY(tdx::hex_member<32>(json, "mrsigner"));
    id.isvprodid = static_cast<uint16_t>(CW_TRY(tdx::uint_member(json, "isvprodid", UINT16_MAX)));
    const Json* levels = CW_TRY(tdx::array_member(json, "tcbLevels"));
    if (levels->empty())
        return Error::msg("\"tcbLevels\" is empty");
    for (size_t i = 0; i < levels->size(); ++i)
        id.levels.push_back(CW_TRY(parse_level((*levels)[i]).context("tcbLevels[" + std::to_string(i) + "]")));
    return id;
}

// (report & mask) == expected, byte by byte: as go-tdx-guest does, an identity value with
// bits outside its own mask matches nothing (fail closed).
template <size_t N>
bool masked_equal(const uint8_t* report, const std::array<uint8_t, N>& expected, const std::array<uint8_t, N>& mask) {
    for (size_t i = 0; i < N; ++i)
        if ((report[i] & mask[i]) != expected[i])
            return false;
    return true;
}

}  // namespace

Result<QeIdentity> parse_qe_identity(std::string_view enclave_identity_json) {
    auto json = CW_TRY(tdx::parse_json(enclave_identity_json, "enclaveIdentity"));
    return parse(json).context("enclaveIdentity");
}

Result<TcbStatus> match_qe_identity(const tdx_wire::SgxReportBody& qe_report, const QeIdentity& identity) {
    if (!std::equal(identity.mrsigner.begin(), identity.mrsigner.end(), std::begin(qe_report.mrsigner)))
        return Error::msg("QE MRSIGNER does not match the QE identity");
    if (qe_report.isvprodid != identity.isvprodid)
        return Error::msg("QE ISVPRODID " + std::to_string(qe_report.isvprodid) + " is not the identity's " +
                          std::to_string(identity.isvprodid));
    uint8_t misc[4];
    std::memcpy(misc, &qe_report.miscselect, sizeof(misc));  // report byte order
    if (!masked_equal(misc, identity.miscselect, identity.miscselect_mask))
        return Error::msg("QE MISCSELECT does not match the QE identity under its mask");
    if (!masked_equal(qe_report.attributes, identity.attributes, identity.attributes_mask))
        return Error::msg("QE ATTRIBUTES do not match the QE identity under its mask");
    for (const auto& level : identity.levels)
        if (level.isvsvn <= qe_report.isvsvn)
            return level.status;
    return Error::msg("QE ISVSVN " + std::to_string(qe_report.isvsvn) + " is below every QE identity TCB level");
}

}  // namespace cw::attest
