#include "evidence/tdx/tdx_tcb_eval.h"

#include <algorithm>
#include <cstdio>

#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

// TEE_TCB_SVN[1] is the TDX module's major SVN; it is non-zero from TDX 1.5 on, and then
// bytes 0 and 1 are evaluated through tdxModuleIdentities instead of the TCB levels.
bool is_tdx15_module(const TdxTcbInput& td) { return td.tee_tcb_svn[1] > 0; }

std::string module_identity_id(const TdxTcbInput& td) {
    char id[8];
    std::snprintf(id, sizeof(id), "TDX_%02X", td.tee_tcb_svn[1]);
    return id;
}

const TdxModuleIdentity* find_module_identity(const TcbInfo& info, const TdxTcbInput& td) {
    const std::string id = module_identity_id(td);
    for (const auto& identity : info.module_identities)
        if (identity.id == id)
            return &identity;
    return nullptr;
}

bool level_matches(const TcbInfoLevel& level, const SgxPckExtensions& pck, const TdxTcbInput& td) {
    for (size_t i = 0; i < 16; ++i)
        if (pck.sgx_tcb_components[i] < level.sgx_components[i])
            return false;
    if (pck.pcesvn < level.pcesvn)
        return false;
    const size_t first_tdx = is_tdx15_module(td) ? 2 : 0;
    for (size_t i = first_tdx; i < 16; ++i)
        if (td.tee_tcb_svn[i] < level.tdx_components[i])
            return false;
    return true;
}

}  // namespace

Result<void> check_tcb_info_platform(const TcbInfo& info, const SgxPckExtensions& pck) {
    if (info.fmspc != pck.fmspc)
        return Error::msg("TCB info is for FMSPC " + to_hex_lower(info.fmspc) + ", the PCK certificate's is " +
                          to_hex_lower(pck.fmspc));
    if (info.pceid != pck.pceid)
        return Error::msg("TCB info is for PCE-ID " + to_hex_lower(info.pceid) + ", the PCK certificate's is " +
                          to_hex_lower(pck.pceid));
    return {};
}

Result<void> check_tdx_module(const TcbInfo& info, const TdxTcbInput& td) {
    const TdxModuleInfo* module = &info.tdx_module;
    std::string source = "tdxModule";
    if (is_tdx15_module(td)) {
        const TdxModuleIdentity* identity = find_module_identity(info, td);
        if (identity == nullptr)
            return Error::msg("TCB info has no tdxModuleIdentities entry " + module_identity_id(td));
        module = &identity->module;
        source = identity->id;
    }
    if (td.mrsignerseam != module->mrsigner)
        return Error::msg("MRSIGNERSEAM " + to_hex_lower(td.mrsignerseam) + " is not the " + source + " mrsigner");
    for (size_t i = 0; i < td.seam_attributes.size(); ++i)
        if ((td.seam_attributes[i] & module->attributes_mask[i]) != module->attributes[i])
            return Error::msg("SEAM attributes " + to_hex_lower(td.seam_attributes) + " do not match " + source +
                              " attributes under its mask");
    return {};
}

Result<TdxTcbResult> match_tcb_level(const TcbInfo& info, const SgxPckExtensions& pck, const TdxTcbInput& td) {
    auto level = std::find_if(info.levels.begin(), info.levels.end(),
                              [&](const TcbInfoLevel& l) { return level_matches(l, pck, td); });
    if (level == info.levels.end())
        return Error::msg("no TCB level matches (TCB level not supported): PCK SGX SVNs " +
                          to_hex_lower(pck.sgx_tcb_components) + ", PCESVN " + std::to_string(pck.pcesvn) +
                          ", TEE_TCB_SVN " + to_hex_lower(td.tee_tcb_svn));
    TdxTcbResult result;
    result.platform_status = level->status;
    result.status = level->status;
    result.tcb_date = level->tcb_date;
    result.advisory_ids = level->advisory_ids;
    if (is_tdx15_module(td)) {
        const TdxModuleIdentity* identity = find_module_identity(info, td);
        if (identity == nullptr)
            return Error::msg("TCB info has no tdxModuleIdentities entry " + module_identity_id(td));
        auto module_level = std::find_if(identity->levels.begin(), identity->levels.end(),
                                         [&](const TdxModuleIdentity::Level& l) { return l.isvsvn <= td.tee_tcb_svn[0]; });
        if (module_level == identity->levels.end())
            return Error::msg("no TCB level of " + identity->id + " matches TDX module minor SVN " +
                              std::to_string(td.tee_tcb_svn[0]) + " (TCB level not supported)");
        result.module_status = module_level->status;
        result.status = worse_tcb_status(result.status, module_level->status);
    }
    return result;
}

}  // namespace cw::attest
