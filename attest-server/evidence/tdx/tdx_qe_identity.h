// TDX Quoting Enclave identity (Intel PCS API v4 `GET /tdx/certification/v4/qe/identity`,
// enclaveIdentity version 2, id "TD_QE"), and matching a quote's QE report against it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/tdx/tcb_status.h"
#include "evidence/tdx/tdx_quote_layout.h"

namespace cw::attest {

struct QeIdentity {
    uint32_t version = 0;
    int64_t issue_date = 0;
    int64_t next_update = 0;
    uint32_t tcb_evaluation_data_number = 0;
    // miscselect and attributes are hex in the byte order of the SGX report (as go-tdx-guest
    // and Intel's QVL read them), so they compare byte by byte with the report.
    std::array<uint8_t, 4> miscselect{};
    std::array<uint8_t, 4> miscselect_mask{};
    std::array<uint8_t, 16> attributes{};
    std::array<uint8_t, 16> attributes_mask{};
    std::array<uint8_t, 32> mrsigner{};
    uint16_t isvprodid = 0;
    struct Level {
        uint16_t isvsvn = 0;
        int64_t tcb_date = 0;
        TcbStatus status = TcbStatus::Revoked;
    };
    std::vector<Level> levels;  // best first
};

// Parses the enclaveIdentity value; refuses anything but id "TD_QE" and version 2.
Result<QeIdentity> parse_qe_identity(std::string_view enclave_identity_json);

// Checks the (signature-verified) QE report against the identity: MRSIGNER and ISVPRODID
// equal, MISCSELECT and ATTRIBUTES equal under their masks; then returns the status of the
// first level whose isvsvn <= the report's ISVSVN. Errors name the mismatching field, or say
// that no level covers the QE's ISVSVN.
Result<TcbStatus> match_qe_identity(const tdx_wire::SgxReportBody& qe_report, const QeIdentity& identity);

}  // namespace cw::attest
