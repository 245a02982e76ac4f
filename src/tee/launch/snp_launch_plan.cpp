#include "tee/launch/snp_launch_plan.h"

#include <map>
#include <string>

#include "base/hex.h"

namespace cw::tee {

namespace {

// Appends `pages` pages, merging them into the last range when that one has the same type,
// ends right before them and belongs to the same region (plan index >= region_first): a range
// never spans two memory regions, which are separate memslots to KVM.
void append(std::vector<SnpLaunchRange>& plan, size_t region_first, SnpPageType type, uint64_t gpa, uint64_t pages) {
    if (pages == 0)
        return;
    if (plan.size() > region_first) {
        SnpLaunchRange& last = plan.back();
        if (last.type == type && last.gpa + last.pages * kSnpPageSize == gpa) {
            last.pages += pages;
            return;
        }
    }
    plan.push_back({type, gpa, pages});
}

Result<void> check_firmware_page(const vmm::GuestMemory& memory, const LaunchPages& loaded, const char* what,
                                 uint64_t gpa) {
    const std::string name = std::string("SNP ") + what + " page " + hex(gpa);
    if (gpa % kSnpPageSize != 0)
        return Error::msg(name + ": not 4 KiB aligned");
    if (!memory.contains(vmm::GuestAddress(gpa), kSnpPageSize))
        return Error::msg(name + ": not in guest RAM");
    if (loaded.contains(gpa))
        return Error::msg(name + ": the loader also wrote this page");
    return {};
}

}  // namespace

Result<std::vector<SnpLaunchRange>> snp_launch_plan(const vmm::GuestMemory& memory, const LaunchPages& loaded,
                                                    const SnpFirmwarePages& firmware) {
    CW_TRY(check_firmware_page(memory, loaded, "secrets", firmware.secrets_gpa));
    CW_TRY(check_firmware_page(memory, loaded, "CPUID", firmware.cpuid_gpa));
    if (firmware.secrets_gpa == firmware.cpuid_gpa)
        return Error::msg("SNP secrets and CPUID pages are both at " + hex(firmware.cpuid_gpa));

    // Every page that is not ZERO, in GPA order.
    std::map<uint64_t, SnpPageType> typed;
    for (uint64_t gpa : loaded.pages())
        typed.emplace(gpa, SnpPageType::Normal);
    typed.emplace(firmware.secrets_gpa, SnpPageType::Secrets);
    typed.emplace(firmware.cpuid_gpa, SnpPageType::Cpuid);

    std::vector<SnpLaunchRange> plan;
    for (const auto& region : memory.regions()) {
        const uint64_t start = region.start.value();
        const uint64_t end = start + region.size;
        uint64_t next = start;  // the first page not yet in the plan
        const size_t first = plan.size();
        for (auto it = typed.lower_bound(start); it != typed.end() && it->first < end; ++it) {
            append(plan, first, SnpPageType::Zero, next, (it->first - next) / kSnpPageSize);
            append(plan, first, it->second, it->first, 1);
            next = it->first + kSnpPageSize;
        }
        append(plan, first, SnpPageType::Zero, next, (end - next) / kSnpPageSize);
    }
    return plan;
}

Result<SnpLaunchDigest> measure_snp_launch_plan(const vmm::GuestMemory& memory, std::span<const SnpLaunchRange> plan,
                                                std::span<const SnpVmsaBytes> vmsas, bool trace) {
    SnpLaunchDigest digest;
    if (trace)
        digest.enable_trace();
    for (const SnpLaunchRange& range : plan) {
        if (range.type == SnpPageType::Normal) {
            auto bytes = CW_TRY(memory.slice(vmm::GuestAddress(range.gpa), range.pages * kSnpPageSize)
                                    .context("SNP NORMAL pages at " + hex(range.gpa)));
            CW_TRY(digest.update_range(SnpPageType::Normal, range.gpa, bytes));
        } else {
            CW_TRY(digest.update_range(range.type, range.gpa, range.pages));
        }
    }
    for (size_t i = 0; i < vmsas.size(); ++i)
        CW_TRY(digest.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsas[i]).context("vCPU " + std::to_string(i) + " VMSA"));
    return digest;
}

}  // namespace cw::tee
