#include "tee/snp/snp_launch_run.h"

#include <string>

#include "base/hex.h"

namespace cw::tee::snp {

Result<void> run_snp_launch_plan(SnpLaunch& launch, const vmm::GuestMemory& memory,
                                 std::span<const SnpLaunchRange> plan, const SnpHostData& host_data,
                                 std::span<const SnpVmsaPage> vmsas, const Sha384Digest& expected) {
    for (const SnpLaunchRange& range : plan) {
        auto source = CW_TRY(memory.slice(vmm::GuestAddress(range.gpa), range.pages * kSnpPageSize)
                                 .context("SNP launch: pages at " + hex(range.gpa)));
        CW_TRY(launch.update(range.type, range.gpa, source));
    }
    // The launch's own digest, finished with the same VMSAs, must be the expected one.
    SnpLaunchDigest after_updates = launch.digest();
    for (const SnpVmsaPage& vmsa : vmsas)
        CW_TRY(after_updates.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsa));
    if (after_updates.digest() != expected)
        return Error::msg("SNP launch: this launch measures " + to_hex_lower(after_updates.digest()) +
                          ", not the expected " + to_hex_lower(expected) + "; not finishing");
    return launch.finish(host_data, vmsas);
}

}  // namespace cw::tee::snp
