// TDX TCB info (Intel PCS API v4 `GET /tdx/certification/v4/tcb?fmspc=`, tcbInfo version 3,
// id "TDX"): the TCB levels of one platform family (FMSPC), best first. Parsed from the exact
// body bytes whose signature tdx_collateral.h checks.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/tdx/tcb_status.h"

namespace cw::attest {

struct TcbInfoLevel {
    std::array<uint8_t, 16> sgx_components{};  // minimum PCK certificate SGX component SVNs
    uint16_t pcesvn = 0;                       // minimum PCK certificate PCESVN
    std::array<uint8_t, 16> tdx_components{};  // minimum TEE_TCB_SVN bytes of the TD report
    int64_t tcb_date = 0;
    TcbStatus status = TcbStatus::Revoked;
    std::vector<std::string> advisory_ids;
};

// Expected identity of the TDX module (SEAM): MRSIGNERSEAM and SEAM attributes under a mask.
struct TdxModuleInfo {
    std::array<uint8_t, 48> mrsigner{};
    std::array<uint8_t, 8> attributes{};
    std::array<uint8_t, 8> attributes_mask{};
};

// `tdxModuleIdentities` (TDX 1.5): per module major version ("TDX_01"), levels by minor SVN.
struct TdxModuleIdentity {
    std::string id;
    TdxModuleInfo module;
    struct Level {
        uint8_t isvsvn = 0;  // minimum TEE_TCB_SVN[0] (module minor SVN)
        int64_t tcb_date = 0;
        TcbStatus status = TcbStatus::Revoked;
    };
    std::vector<Level> levels;
};

struct TcbInfo {
    uint32_t version = 0;
    int64_t issue_date = 0;
    int64_t next_update = 0;
    std::array<uint8_t, 6> fmspc{};
    std::array<uint8_t, 2> pceid{};
    uint32_t tcb_evaluation_data_number = 0;
    TdxModuleInfo tdx_module;
    std::vector<TdxModuleIdentity> module_identities;
    std::vector<TcbInfoLevel> levels;
};

// Parses the tcbInfo value. Refuses anything but id "TDX", version 3, tcbType 0, and levels
// whose component lists do not hold exactly 16 SVNs or whose status PCS does not define.
Result<TcbInfo> parse_tcb_info(std::string_view tcb_info_json);

}  // namespace cw::attest
