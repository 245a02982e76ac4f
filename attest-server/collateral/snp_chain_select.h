// Picking ARK, intermediate and leaf for an SEV-SNP report out of the certificates an operator
// supplied (--cert files first, then the collateral directory), by subject CN and issuer name:
//   leaf          CN "SEV-VCEK" or "SEV-VLEK"; preferring the kind the report's SIGNING_KEY
//                 names, then (VCEK) the one whose hwID equals CHIP_ID, then the first given;
//   intermediate  any other CN "SEV-..." (ASK "SEV-Milan", ASVK "SEV-VLEK-Milan"); preferring
//                 the one whose subject is the leaf's issuer, then the first given;
//   ARK           CN "ARK-..."; preferring the intermediate's issuer, then the first given.
// Certificates with any other CN are not used. Preference only orders candidates: a wrong
// certificate is still handed to the verifier, which names what is wrong with it (chain,
// product, signing key), rather than vanishing into "missing certificate".
//
// The leaf's slot (SnpCertChain::leaf_slot) is its own CN: the CLI has no separate declaration
// of it. The report's SIGNING_KEY is still compared against it by the verifier.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_verify.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::collateral {

struct SnpCertCandidate {
    X509* cert = nullptr;  // owned by the caller's files
    std::string source;    // the file it came from
};

struct SelectedSnpChain {
    SnpCertChain chain;
    std::string ark_source;
    std::string intermediate_source;
    std::string leaf_source;
};

// `report` is the parsed report when it parsed (used for preferences only).
SelectedSnpChain select_snp_chain(const std::vector<SnpCertCandidate>& pool, const std::optional<SnpReport>& report);

}  // namespace cw::attest::collateral
