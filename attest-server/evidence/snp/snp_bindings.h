// The bindings between a report and the certificate that signed it (attestation-facts 1.5
// step 5), separate from the signature so they can be tested without forging one.
#pragma once

#include "base/result.h"
#include "evidence/snp/snp_cert_ext.h"
#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_tcb.h"

namespace cw::attest {

// VCEK only: CHIP_ID equals the hwID (Turin: CHIP_ID[0..8] equals the 8-byte hwID). A report
// with MASK_CHIP_KEY has a zero CHIP_ID and fails: the hwID binding cannot be checked.
Result<void> check_snp_chip_id(const SnpReport& report, const SnpCertExtensions& leaf);

// Every SPL extension equals the same component of REPORTED_TCB (decoded for `product`):
// boot loader, TEE, SNP, microcode, and FMC on Turin. A missing SPL extension fails.
Result<void> check_snp_reported_tcb(const SnpTcb& reported, const SnpCertExtensions& leaf, SnpProduct product);

}  // namespace cw::attest
