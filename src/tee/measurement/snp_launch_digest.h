// The SEV-SNP launch digest (the MEASUREMENT field of an attestation report): a chain of
// SHA-384 hashes, one PAGE_INFO (snp_page_info.h) per 4 KiB page in the order the VMM
// passes pages to SNP_LAUNCH_UPDATE. Pure computation: the VMM, oci2cw and the attestation
// server all compute the digest the hardware will report through this one class.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "tee/measurement/sha384.h"
#include "tee/measurement/snp_page_info.h"

namespace cw::tee {

// One measured page, recorded when tracing is on, so a user can find the first page at
// which two launches diverge (cw-measure --explain).
struct SnpTraceStep {
    SnpPageType type;
    uint64_t gpa;
    Sha384Digest contents;  // the CONTENTS field: SHA-384 of the page, or zeros
    Sha384Digest digest;    // the launch digest after this page
};

class SnpLaunchDigest {
public:
    // Starts from 48 zero bytes, as the firmware does at SNP_LAUNCH_START.
    SnpLaunchDigest() = default;
    // Starts from a digest computed earlier (e.g. over firmware pages measured separately).
    explicit SnpLaunchDigest(const Sha384Digest& seed) : m_digest(seed) {}

    // Records every following step in trace().
    void enable_trace() { m_tracing = true; }

    // Measures one 4 KiB page at `gpa` (4 KiB aligned). NORMAL and VMSA pages take exactly
    // 4096 bytes of contents; the other types take none (their contents are not hashed).
    // On error the digest is unchanged.
    [[nodiscard]] Result<void> update(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page);

    // Measures consecutive NORMAL pages: one PAGE_INFO per 4 KiB of `contents`, the GPA
    // advancing by 0x1000. `contents` must be a non-zero whole number of pages, with no
    // zero-padding of a last partial page: the caller measures the bytes really in guest
    // memory, so whatever shares that last page (zeros, or something else the VMM put
    // there) is never guessed here. A VMSA "range" is exactly one page (every VMSA has the
    // same GPA). Validated before any page is hashed, so on error the digest is unchanged.
    [[nodiscard]] Result<void> update_range(SnpPageType type, uint64_t gpa, std::span<const uint8_t> contents);
    // Measures `pages` consecutive pages of a type without contents (ZERO, UNMEASURED,
    // SECRETS, CPUID), the GPA advancing by 0x1000.
    [[nodiscard]] Result<void> update_range(SnpPageType type, uint64_t gpa, uint64_t pages);

    [[nodiscard]] const Sha384Digest& digest() const { return m_digest; }
    [[nodiscard]] const std::vector<SnpTraceStep>& trace() const { return m_trace; }

private:
    Result<void> hash_page(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page);

    Sha384Digest m_digest{};
    bool m_tracing = false;
    std::vector<SnpTraceStep> m_trace;
};

}  // namespace cw::tee
