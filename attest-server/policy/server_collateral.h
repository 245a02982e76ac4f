// The collateral directory as the server holds it: read, classified and parsed once at start,
// then shared read-only by every appraisal (collateral/collateral_files.h says how files are
// recognised; SNP certificates and ARK CRLs feed chain selection, the TDX documents the quote
// verifier). Nothing in it is trusted: the verifiers pin the roots and check every signature.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "collateral/collateral_files.h"
#include "collateral/snp_collateral.h"
#include "evidence/tdx/tdx_collateral.h"

namespace cw::attest::policy {

// Immutable once loaded. The X509 and X509_CRL objects are only read by OpenSSL verification
// (which takes its own references), so concurrent appraisals may share them.
struct Collateral {
    collateral::CollateralDir dir;  // owns every certificate and CRL `snp` points at
    collateral::SnpCollateral snp;
    TdxCollateral tdx;
    std::vector<std::string> tdx_used;  // paths of the TDX documents taken
    std::vector<std::string> unusable;  // files of no known kind, "PATH: why"
};

// Errors name the directory (missing, unreadable, too many files). Files of no known kind are
// listed in `unusable`, not errors.
Result<std::shared_ptr<const Collateral>> load_collateral(const std::string& dir);

}  // namespace cw::attest::policy
