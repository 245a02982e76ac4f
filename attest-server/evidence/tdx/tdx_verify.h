// Intel TDX quote verification (attestation-facts.md 3.2), offline: everything comes from the
// quote and the collateral given; nothing is fetched.
//
// What is trusted: the Intel SGX Root CA pinned in tdx_pck.h, and the verification time given
// (or the clock). Everything else (quote, PCK chain, TCB info, QE identity, CRLs) is checked.
//
// Order: parse -> quote signature -> QE report binding -> PCK chain to the pinned root (with
// both CRLs when given) -> QE report signature -> PCK SGX extension -> collateral present for
// the PCK's FMSPC (TCB info, QE identity, issuer chain, both CRLs; all missing pieces are named
// at once) -> TCB info and QE identity chains, signatures over their raw bytes, validity windows
// -> FMSPC/PCE-ID -> QE identity -> TDX module -> TCB level -> status. The first failure
// decides the verdict's reason; later steps do not run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "evidence/tdx/tdx_collateral.h"
#include "evidence/tdx/tdx_verdict.h"

namespace cw::attest {

struct TdxVerifyOptions {
    // Seconds since the epoch for certificate, CRL and collateral validity; nullopt = now.
    std::optional<int64_t> at_time;
};

// Never throws and never accepts on missing collateral. A verdict that is ok() says the quote
// is genuine and its TCB status is known and not Revoked; whether that status, the debug bit
// and the measurements are acceptable is tdx_policy.h's decision.
TdxVerdict verify_tdx_quote(std::span<const uint8_t> quote, const TdxCollateral& collateral,
                            const TdxVerifyOptions& options);

}  // namespace cw::attest
