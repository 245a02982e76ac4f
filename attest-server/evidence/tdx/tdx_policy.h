// What a workload accepts from a verified TDX quote. The verifier (tdx_verify.h) says whether
// the quote is genuine and what its TCB status is; this decides whether that is good enough.
// Every default refuses: a policy must name the measurements it expects.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "evidence/tdx/tcb_status.h"
#include "evidence/tdx/tdx_verdict.h"

namespace cw::attest {

// One registered launch: MRTD and, where given, RTMR values (unset RTMRs are not compared,
// e.g. RTMR3 which the workload extends at run time).
struct TdxMeasurement {
    Digest48 mrtd{};
    std::array<std::optional<Digest48>, 4> rtmr;
};

struct TdxPolicy {
    // A debuggable TD offers no confidentiality (the host can read its memory).
    bool allow_debug = false;
    // TCB statuses accepted; Revoked is refused by the verifier whatever this says.
    std::vector<TcbStatus> accepted_tcb_statuses = {TcbStatus::UpToDate};
    // The quote must match one of these; an empty list accepts no quote.
    std::vector<TdxMeasurement> allowed_measurements;
    std::optional<Digest48> expected_mrconfigid;
    // Usually the binding hash(nonce || guest public key), checked by the protocol layer.
    std::optional<std::array<uint8_t, 64>> expected_report_data;
    // Bytes after the quote are never signed nor read; non-zero ones (text in an upstream test
    // fixture) are refused unless this is set. Zero padding is always accepted.
    bool allow_nonzero_trailing_bytes = false;
};

// Applies the policy to an ok() verdict, recording the first violation as its reason (policy_*).
// A verdict that already failed is returned unchanged.
void apply_tdx_policy(TdxVerdict& verdict, const TdxPolicy& policy);

}  // namespace cw::attest
