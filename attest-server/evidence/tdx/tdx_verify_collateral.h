// The collateral half of TDX verification (internal to tdx_verify.cpp; see tdx_verify.h for
// the order of checks). Runs only after the quote's own links and the PCK chain verified.
#pragma once

#include <cstdint>
#include <optional>

#include "evidence/tdx/sgx_pck_extensions.h"
#include "evidence/tdx/tdx_collateral.h"
#include "evidence/tdx/tdx_quote.h"
#include "evidence/tdx/tdx_verdict.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

struct TdxCrls {
    X509CrlPtr pck;   // issued by the PCK Platform/Processor CA
    X509CrlPtr root;  // issued by the Intel SGX Root CA
};

// Checks collateral presence, TCB info and QE identity (chain, raw-byte signature, validity),
// then evaluates QE identity, TDX module and TCB level; records statuses or the first failure.
void verify_with_collateral(const TdxQuote& quote, const SgxPckExtensions& pck, const TdxCollateral& collateral,
                            const TdxCrls& crls, std::optional<int64_t> at_time, TdxVerdict& v);

}  // namespace cw::attest
