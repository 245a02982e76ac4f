// The SEV-SNP part of a collateral directory (collateral_files.h): every certificate as a chain
// candidate for snp_chain_select.h, and the CRLs an ARK issued (KDS /vcek/v1/<product>/crl).
// Nothing here is trusted: the verifier pins the ARK and checks every link.
#pragma once

#include <string>
#include <vector>

#include "collateral/collateral_files.h"
#include "collateral/snp_chain_select.h"

namespace cw::attest::collateral {

struct SnpCollateral {
    std::vector<SnpCertCandidate> certs;  // views into the directory's files, in file order
    std::vector<X509_CRL*> crls;          // issued by an "ARK-..." CN; views as well
    std::vector<std::string> crl_sources;
};

// Views into `dir`, which must outlive the result. Files that are neither certificates nor
// ARK-issued CRLs are appended to `ignored` ("PATH: not SEV-SNP collateral").
SnpCollateral snp_collateral_from(const CollateralDir& dir, std::vector<std::string>& ignored);

}  // namespace cw::attest::collateral
