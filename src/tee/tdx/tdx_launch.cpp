#include "tee/tdx/tdx_launch.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "base/hex.h"
#include "tee/tdx/tdx_attributes.h"

namespace cw::tee::tdx {

namespace {

// The guest physical address width KVM_TDX_INIT_VM will take from CPUID 0x80000008, or 0
// if the leaf is missing.
uint32_t guest_phys_bits(std::span<const uapi::KvmCpuidEntry2> cpuid) {
    for (const auto& entry : cpuid) {
        if (entry.function == uapi::kCpuidLeafAddressSizes && entry.index == 0)
            return (entry.eax >> uapi::kCpuidGuestPhysBitsShift) & 0xFF;
    }
    return 0;
}

}  // namespace

const char* tdx_launch_state_name(TdxLaunchState state) {
    switch (state) {
    case TdxLaunchState::Created: return "created";
    case TdxLaunchState::CapabilitiesRead: return "capabilities read";
    case TdxLaunchState::VmInitialized: return "VM initialized";
    case TdxLaunchState::VcpusInitialized: return "vCPUs initialized";
    case TdxLaunchState::AddingMemory: return "adding memory";
    case TdxLaunchState::Finalized: return "finalized";
    case TdxLaunchState::Failed: return "failed";
    }
    return "unknown";
}

uapi::TdxMr tdx_mrconfigid(const TdxWorkloadDigest& workload_config_sha256) {
    uapi::TdxMr mr{};
    std::copy(workload_config_sha256.begin(), workload_config_sha256.end(), mr.begin());
    return mr;
}

Error TdxLaunch::fail(Error error) {
    if (m_state != TdxLaunchState::Failed) {
        m_state = TdxLaunchState::Failed;
        m_failed_step = error.message();
    }
    return error;
}

Result<void> TdxLaunch::require_state(const char* step, TdxLaunchState a, TdxLaunchState b) const {
    if (m_state == a || m_state == b)
        return {};
    if (m_state == TdxLaunchState::Failed)
        return Error::msg(std::string(step) + ": the TDX launch already failed (" + m_failed_step +
                          "); it cannot continue");
    return Error::msg(std::string(step) + ": not allowed in state '" + tdx_launch_state_name(m_state) +
                      "' (needs '" + tdx_launch_state_name(a) +
                      (a != b ? std::string("' or '") + tdx_launch_state_name(b) : std::string()) + "')");
}

Result<void> TdxLaunch::read_capabilities() {
    if (auto ok = require_state(kCapabilities, TdxLaunchState::Created, TdxLaunchState::Created); !ok)
        return fail(std::move(ok).error());
    auto caps = m_kvm.capabilities();
    if (!caps)
        return fail(std::move(caps).error().context(kCapabilities));
    const uint64_t supported = caps.value().fixed.supported_attrs;
    if ((supported & tdx_td_attributes()) != tdx_td_attributes())
        return fail(Error::msg(std::string("TDX: KVM does not offer the SEPT_VE_DISABLE TD attribute (") +
                               kCapabilities + " supported_attrs " + hex(supported) +
                               "): this host cannot run our TDs"));
    m_caps = std::move(caps).value();
    m_state = TdxLaunchState::CapabilitiesRead;
    return {};
}

Result<void> TdxLaunch::check_vm_config(const TdxVmConfig& config) {
    const uint64_t supported_xfam = m_caps->fixed.supported_xfam;
    if ((config.xfam & ~supported_xfam) != 0)
        return Error::msg(std::string(kInitVm) + ": XFAM " + hex(config.xfam) + " asks for " +
                          hex(config.xfam & ~supported_xfam) + ", which the host does not offer (supported_xfam " +
                          hex(supported_xfam) + ")");
    if (config.vcpu_count == 0)
        return Error::msg(std::string(kInitVm) + ": a TD needs at least one vCPU");
    if (config.cpuid.size() > uapi::kKvmMaxCpuidEntries)
        return Error::msg(std::string(kInitVm) + ": " + std::to_string(config.cpuid.size()) +
                          " CPUID entries, at most " + std::to_string(uapi::kKvmMaxCpuidEntries));
    const uint32_t gpaw = guest_phys_bits(config.cpuid);
    if (gpaw != 48 && gpaw != 52)
        return Error::msg(std::string(kInitVm) + ": CPUID 0x80000008 must give the guest physical address width, " +
                          "48 or 52, in EAX[23:16] (got " + std::to_string(gpaw) + ")");
    return {};
}

Result<void> TdxLaunch::init_vm(const TdxVmConfig& config) {
    if (auto ok = require_state(kInitVm, TdxLaunchState::CapabilitiesRead, TdxLaunchState::CapabilitiesRead); !ok)
        return fail(std::move(ok).error());
    if (auto ok = check_vm_config(config); !ok)
        return fail(std::move(ok).error());
    // MRTD's hash starts before KVM is asked, so a failure to create it never leaves a TD
    // initialized without its expected measurement.
    auto mrtd = TdxMrtd::create();
    if (!mrtd)
        return fail(std::move(mrtd).error().context(std::string(kInitVm) + ": MRTD"));

    uapi::KvmTdxInitVm init{};
    init.attributes = tdx_td_attributes();
    init.xfam = config.xfam;
    init.mrconfigid = tdx_mrconfigid(config.workload_config_sha256);
    init.cpuid.nent = static_cast<uint32_t>(config.cpuid.size());
    if (auto r = m_kvm.init_vm(init, config.cpuid); !r)
        return fail(std::move(r).error().context(kInitVm));

    m_mrtd.emplace(std::move(mrtd).value());
    m_vcpu_initialized.assign(config.vcpu_count, false);
    m_vcpus_left = config.vcpu_count;
    m_shared_bit = uint64_t{1} << (guest_phys_bits(config.cpuid) - 1);
    m_state = TdxLaunchState::VmInitialized;
    return {};
}

Result<void> TdxLaunch::init_vcpu(uint32_t vcpu, uint64_t rcx) {
    if (auto ok = require_state(kInitVcpu, TdxLaunchState::VmInitialized, TdxLaunchState::VmInitialized); !ok)
        return fail(std::move(ok).error());
    const std::string where = std::string(kInitVcpu) + " of vCPU " + std::to_string(vcpu);
    if (vcpu >= m_vcpu_initialized.size())
        return fail(Error::msg(where + ": the TD has " + std::to_string(m_vcpu_initialized.size()) + " vCPUs"));
    if (m_vcpu_initialized[vcpu])
        return fail(Error::msg(where + ": already initialized"));
    if (auto r = m_kvm.init_vcpu(vcpu, rcx); !r)
        return fail(std::move(r).error().context(where));
    m_vcpu_initialized[vcpu] = true;
    if (--m_vcpus_left == 0)
        m_state = TdxLaunchState::VcpusInitialized;
    return {};
}

Result<void> TdxLaunch::add_region(uint64_t gpa, std::span<const uint8_t> source, TdxMeasure measure) {
    if (auto ok = require_state(kInitMemRegion, TdxLaunchState::VcpusInitialized, TdxLaunchState::AddingMemory); !ok)
        return fail(std::move(ok).error());
    const std::string where = std::string(kInitMemRegion) + " at GPA " + hex(gpa);
    if (gpa % kTdxPageSize != 0)
        return fail(Error::msg(where + ": not 4 KiB aligned"));
    if (source.empty() || source.size() % kTdxPageSize != 0)
        return fail(Error::msg(where + ": " + std::to_string(source.size()) +
                               " bytes of source, need a non-zero multiple of 4096"));
    const uint64_t source_addr = std::bit_cast<uintptr_t>(source.data());
    if (source_addr % kTdxPageSize != 0)
        return fail(Error::msg(where + ": the source buffer is not 4 KiB aligned (KVM requires it)"));
    if (gpa < m_next_gpa)
        return fail(Error::msg(where + ": below the end of the previous region (" + hex(m_next_gpa) +
                               "); regions must come in ascending GPA order without overlap"));
    if (source.size() > m_shared_bit || gpa > m_shared_bit - source.size())
        return fail(Error::msg(where + ": " + std::to_string(source.size()) + " bytes reach the shared bit (" +
                               hex(m_shared_bit) + "); initial TD memory must be private"));

    uapi::KvmTdxInitMemRegion region{};
    region.source_addr = source_addr;
    region.gpa = gpa;
    region.nr_pages = source.size() / kTdxPageSize;
    const uint32_t flags = measure == TdxMeasure::Measured ? uapi::kTdxMeasureMemoryRegion : 0;
    // Through vCPU 0: KVM takes any initialized vCPU, and every one is by now.
    if (auto r = m_kvm.init_mem_region(0, region, flags); !r)
        return fail(std::move(r).error().context(where));
    if (auto r = measure_region(gpa, source, measure); !r)
        return fail(std::move(r).error().context(where + ": MRTD"));
    m_next_gpa = gpa + source.size();
    m_state = TdxLaunchState::AddingMemory;
    return {};
}

Result<void> TdxLaunch::measure_region(uint64_t gpa, std::span<const uint8_t> source, TdxMeasure measure) {
    // What the TDX module did, page by page: TDH.MEM.PAGE.ADD, then for a measured region
    // the 16 TDH.MR.EXTENDs of that page from the same bytes KVM copied.
    if (measure == TdxMeasure::Measured)
        return m_mrtd->add_pages_single_pass(gpa, source);
    for (uint64_t offset = 0; offset < source.size(); offset += kTdxPageSize)
        CW_TRY(m_mrtd->add_page(gpa + offset));
    return {};
}

Result<void> TdxLaunch::finalize() {
    if (auto ok = require_state(kFinalizeVm, TdxLaunchState::AddingMemory, TdxLaunchState::AddingMemory); !ok)
        return fail(std::move(ok).error());
    if (auto r = m_kvm.finalize_vm(); !r)
        return fail(std::move(r).error().context(kFinalizeVm));
    m_state = TdxLaunchState::Finalized;
    return {};
}

Result<Sha384Digest> TdxLaunch::mrtd() const {
    if (!m_mrtd)
        return Error::msg("MRTD: the TD was not initialized (KVM_TDX_INIT_VM)");
    return m_mrtd->value();
}

}  // namespace cw::tee::tdx
