// The launch description shared by the VMM and the offline tools: the exact list of pages
// (SNP) or build operations (TDX) in launch order. The VMM launches from this list and
// cw-measure / oci2cw / the attestation server digest the same list, so the measurement a
// verifier expects and the one the hardware reports come from one description.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "tee/measurement/sha384.h"
#include "tee/measurement/snp_launch_digest.h"
#include "tee/measurement/tdx_measurement.h"

namespace cw::tee {

// One SNP_LAUNCH_UPDATE range.
struct SnpPage {
    SnpPageType type;
    uint64_t gpa;  // 4 KiB aligned; for VMSA pages kSnpVmsaGpa under KVM
    // NORMAL: a non-zero whole number of pages, one PAGE_INFO each, GPA advancing by 0x1000.
    // VMSA: exactly one page. ZERO, UNMEASURED, SECRETS, CPUID: empty (one page, not hashed).
    std::vector<uint8_t> contents;
};

// One TDX build operation.
struct TdxOp {
    TdxOpKind op;
    uint64_t gpa;  // add: 4 KiB aligned; extend: 256-byte aligned, in a page added earlier
    // add: empty (TDH.MEM.PAGE.ADD does not measure contents). extend: a non-zero multiple
    // of 256 bytes, one TDH.MR.EXTEND per 256 bytes, GPA advancing by 0x100.
    std::vector<uint8_t> contents;
};

// Measures one range into `digest`.
[[nodiscard]] Result<void> measure_snp_page(SnpLaunchDigest& digest, const SnpPage& page);
// Measures every range in order; an error names the index of the range that failed.
[[nodiscard]] Result<void> measure_snp_pages(SnpLaunchDigest& digest, std::span<const SnpPage> pages);
// The launch digest of `pages`, starting from 48 zero bytes.
[[nodiscard]] Result<Sha384Digest> snp_launch_digest(std::span<const SnpPage> pages);

[[nodiscard]] Result<void> measure_tdx_op(TdxMrtd& mrtd, const TdxOp& op);
[[nodiscard]] Result<void> measure_tdx_ops(TdxMrtd& mrtd, std::span<const TdxOp> ops);
// MRTD after `ops` (TDH.MR.FINALIZE).
[[nodiscard]] Result<Sha384Digest> tdx_mrtd(std::span<const TdxOp> ops);

}  // namespace cw::tee
