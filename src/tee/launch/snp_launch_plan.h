// The SEV-SNP launch plan: every page of guest RAM, once, in ascending GPA order, with the
// SNP_LAUNCH_UPDATE page type it is launched with (docs/measurement.md):
//
//   - the pages the loader wrote (LaunchPages: kernel, initramfs, command line, zero page,
//     CC blob, MP table, GDT/IDT, page tables) as NORMAL: measured, contents and all;
//   - the secrets page as SECRETS and the CPUID page as CPUID (firmware-checked, not hashed);
//   - every other RAM page as ZERO.
//
// Why all of RAM: a Linux guest booted without EFI has no way to learn that memory still
// needs accepting, so it assumes every e820 RAM page is validated; a page the launch did not
// validate faults (#VC) at its first private access. Launching the rest as ZERO pages makes
// the firmware validate them, and puts the memory size and layout into the digest.
//
// The VMM issues the plan to SNP_LAUNCH_UPDATE range by range (tee/snp/snp_launch_run.h) and
// cw-measure digests the same plan offline (measure_snp_launch_plan), from one loader output.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "tee/launch/launch_pages.h"
#include "tee/measurement/snp_launch_digest.h"
#include "tee/measurement/snp_page_info.h"
#include "vmm/memory/guest_memory.h"

namespace cw::tee {

// `pages` consecutive 4 KiB pages from `gpa`, launched with one type.
struct SnpLaunchRange {
    SnpPageType type = SnpPageType::Zero;
    uint64_t gpa = 0;
    uint64_t pages = 0;
    friend bool operator==(const SnpLaunchRange&, const SnpLaunchRange&) = default;
};

// The two pages the firmware fills or checks; both must be RAM pages the loader left alone.
struct SnpFirmwarePages {
    uint64_t secrets_gpa = 0;
    uint64_t cpuid_gpa = 0;
};

// The plan for `memory` (its RAM regions), the loader's pages and the firmware pages:
// ascending, adjacent same-type pages merged into one range, every RAM page exactly once.
// Refused, naming the page: a firmware page that is not 4 KiB aligned, outside RAM, the
// same as the other, or also written by the loader (each is a VMM layout bug).
[[nodiscard]] Result<std::vector<SnpLaunchRange>> snp_launch_plan(const vmm::GuestMemory& memory,
                                                                  const LaunchPages& loaded,
                                                                  const SnpFirmwarePages& firmware);

using SnpVmsaBytes = std::array<uint8_t, kSnpPageSize>;

// The launch digest of `plan` (NORMAL pages hashed from `memory` as they are now), then one
// VMSA page per vCPU in vCPU order: what the guest's report carries as MEASUREMENT.
[[nodiscard]] Result<SnpLaunchDigest> measure_snp_launch_plan(const vmm::GuestMemory& memory,
                                                              std::span<const SnpLaunchRange> plan,
                                                              std::span<const SnpVmsaBytes> vmsas, bool trace = false);

}  // namespace cw::tee
