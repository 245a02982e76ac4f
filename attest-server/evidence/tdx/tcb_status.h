// TCB status values of Intel PCS collateral (TCB info v3 and QE identity v2, PCS API v4).
#pragma once

#include <optional>
#include <string_view>

namespace cw::attest {

// Ordered from best to worst, so combining two statuses takes the larger (worse) one.
enum class TcbStatus {
    UpToDate,
    SWHardeningNeeded,
    ConfigurationNeeded,
    ConfigurationAndSWHardeningNeeded,
    OutOfDate,
    OutOfDateConfigurationNeeded,
    Revoked,
};

// The PCS spelling ("UpToDate", "SWHardeningNeeded", ...).
std::string_view tcb_status_name(TcbStatus status);
// nullopt for a spelling PCS does not define: an unknown status is never guessed at.
std::optional<TcbStatus> parse_tcb_status(std::string_view name);

inline TcbStatus worse_tcb_status(TcbStatus a, TcbStatus b) { return a > b ? a : b; }

}  // namespace cw::attest
