#include "tee/launch/sim_launch.h"

#include <string>

#include "base/hex.h"

namespace cw::tee {

Result<SnpLaunchDigest> measure_sim_launch(const vmm::GuestMemory& memory, const LaunchPages& pages,
                                           std::span<const VcpuLaunchState> vcpus, bool trace) {
    SnpLaunchDigest digest;
    if (trace)
        digest.enable_trace();
    for (uint64_t gpa : pages.pages()) {
        auto page = CW_TRY(memory.slice(vmm::GuestAddress(gpa), kLaunchPageSize).context("measured page " + hex(gpa)));
        CW_TRY(digest.update(SnpPageType::Normal, gpa, page));
    }
    for (size_t i = 0; i < vcpus.size(); ++i) {
        const SimVmsaPage vmsa = serialize_sim_vmsa(vcpus[i], static_cast<uint32_t>(i));
        CW_TRY(digest.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsa).context("vCPU " + std::to_string(i) + " VMSA"));
    }
    return digest;
}

}  // namespace cw::tee
