// The TDX part of a collateral directory (collateral_files.h), recognised by content:
//   JSON with top-level "tcbInfo"          PCS /tdx/certification/v4/tcb body (any number, one per FMSPC)
//   JSON with top-level "enclaveIdentity"  PCS /tdx/certification/v4/qe/identity body (the first one)
//   PEM whose first certificate is "Intel SGX TCB Signing"  the TCB-Info/QE-Identity issuer chain (the first one)
//   CRL issued by "Intel SGX Root CA"      root CA CRL
//   CRL issued by "Intel SGX PCK ..."      PCK Platform/Processor CA CRL
// Everything else (the quote, the Intel root, the PCK CRL issuer chain) is listed as ignored:
// the PCK chain comes from the quote and the root is pinned. shared/vectors/tdx/go-tdx-guest
// is such a directory as it stands. Nothing is trusted here: verify_tdx_quote checks it all.
#pragma once

#include <string>
#include <vector>

#include "collateral/collateral_files.h"
#include "evidence/tdx/tdx_collateral.h"

namespace cw::attest::collateral {

// Copies the directory's TDX documents into a TdxCollateral; `used` and `ignored` list the paths.
TdxCollateral tdx_collateral_from(const CollateralDir& dir, std::vector<std::string>& used,
                                  std::vector<std::string>& ignored);

}  // namespace cw::attest::collateral
