// Evaluating a TDX platform against signature-verified TCB info (attestation-facts.md 3.2
// step 6; Intel QVL's TDX TCB evaluation). Three separate checks so the verifier can name
// which one failed:
//   1. the TCB info is for this platform: FMSPC and PCE-ID equal the PCK certificate's;
//   2. the TDX module matches: MRSIGNERSEAM and SEAM attributes (under mask) against
//      `tdxModule`, or, for TDX 1.5 modules (TEE_TCB_SVN[1] > 0), `tdxModuleIdentities`;
//   3. the first TCB level whose SGX component SVNs and PCESVN (from the PCK certificate) and
//      TDX components (TEE_TCB_SVN, skipping bytes 0 and 1 when TEE_TCB_SVN[1] > 0: those are
//      judged by the module identity) are all >= the level's gives the platform status.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "evidence/tdx/sgx_pck_extensions.h"
#include "evidence/tdx/tcb_status.h"
#include "evidence/tdx/tdx_tcb_info.h"

namespace cw::attest {

// The TCB-relevant part of a TD report body.
struct TdxTcbInput {
    std::array<uint8_t, 16> tee_tcb_svn{};
    std::array<uint8_t, 48> mrsignerseam{};
    std::array<uint8_t, 8> seam_attributes{};
};

struct TdxTcbResult {
    // Worse of the platform level and, for TDX 1.5 modules, the module identity level.
    TcbStatus status = TcbStatus::Revoked;
    TcbStatus platform_status = TcbStatus::Revoked;
    std::optional<TcbStatus> module_status;
    int64_t tcb_date = 0;
    std::vector<std::string> advisory_ids;
};

Result<void> check_tcb_info_platform(const TcbInfo& info, const SgxPckExtensions& pck);
Result<void> check_tdx_module(const TcbInfo& info, const TdxTcbInput& td);
// "no TCB level matches" when the platform is below every level (Intel: "TCB level not
// supported"); a module identity with no level for the module's minor SVN is the same.
Result<TdxTcbResult> match_tcb_level(const TcbInfo& info, const SgxPckExtensions& pck, const TdxTcbInput& td);

}  // namespace cw::attest
