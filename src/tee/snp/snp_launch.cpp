#include "tee/snp/snp_launch.h"

#include <bit>
#include <limits>
#include <string>

#include "base/hex.h"

namespace cw::tee::snp {

namespace {

constexpr const char* kInit2 = "KVM_SEV_INIT2";
constexpr const char* kStart = "SNP_LAUNCH_START";
constexpr const char* kUpdate = "SNP_LAUNCH_UPDATE";
constexpr const char* kFinish = "SNP_LAUNCH_FINISH";

// The page types SNP_LAUNCH_UPDATE takes (KVM_SEV_SNP_PAGE_TYPE_*): all but VMSA.
bool updatable(SnpPageType type) {
    switch (type) {
    case SnpPageType::Normal:
    case SnpPageType::Zero:
    case SnpPageType::Unmeasured:
    case SnpPageType::Secrets:
    case SnpPageType::Cpuid:
        return true;
    case SnpPageType::Vmsa:
        return false;
    }
    return false;
}

}  // namespace

const char* snp_launch_state_name(SnpLaunchState state) {
    switch (state) {
    case SnpLaunchState::Created: return "created";
    case SnpLaunchState::Initialized: return "initialized";
    case SnpLaunchState::Started: return "started";
    case SnpLaunchState::Updating: return "updating";
    case SnpLaunchState::Finished: return "finished";
    case SnpLaunchState::Failed: return "failed";
    }
    return "unknown";
}

Error SnpLaunch::fail(Error error) {
    if (m_state != SnpLaunchState::Failed) {
        m_state = SnpLaunchState::Failed;
        m_failed_step = error.message();
    }
    return error;
}

Result<void> SnpLaunch::require_state(const char* step, SnpLaunchState a, SnpLaunchState b) const {
    if (m_state == a || m_state == b)
        return {};
    if (m_state == SnpLaunchState::Failed)
        return Error::msg(std::string(step) + ": the SNP launch already failed (" + m_failed_step +
                          "); it cannot continue");
    return Error::msg(std::string(step) + ": not allowed in state '" + snp_launch_state_name(m_state) +
                      "' (needs '" + snp_launch_state_name(a) +
                      (a != b ? std::string("' or '") + snp_launch_state_name(b) : std::string()) + "')");
}

Result<void> SnpLaunch::init(uint64_t vmsa_features) {
    if (auto ok = require_state(kInit2, SnpLaunchState::Created, SnpLaunchState::Created); !ok)
        return fail(std::move(ok).error());
    uapi::KvmSevInit init{};
    init.vmsa_features = vmsa_features;
    init.ghcb_version = kSnpGhcbVersion;
    if (auto r = m_kvm.sev_init2(init); !r)
        return fail(std::move(r).error().context(kInit2));
    m_state = SnpLaunchState::Initialized;
    return {};
}

Result<void> SnpLaunch::start(const SnpPolicyConfig& policy) {
    if (auto ok = require_state(kStart, SnpLaunchState::Initialized, SnpLaunchState::Initialized); !ok)
        return fail(std::move(ok).error());
    uapi::KvmSevSnpLaunchStart start{};
    start.policy = snp_policy(policy);
    if (auto r = m_kvm.snp_launch_start(start); !r)
        return fail(std::move(r).error().context(kStart));
    m_state = SnpLaunchState::Started;
    return {};
}

Result<void> SnpLaunch::update(SnpPageType type, uint64_t gpa, std::span<const uint8_t> source) {
    if (auto ok = require_state(kUpdate, SnpLaunchState::Started, SnpLaunchState::Updating); !ok)
        return fail(std::move(ok).error());
    const std::string where = std::string(kUpdate) + " at GPA " + hex(gpa);
    if (!updatable(type))
        return fail(Error::msg(where + ": page type " + std::string(snp_page_type_name(type)) +
                               " is not updated (KVM measures VMSA pages at SNP_LAUNCH_FINISH)"));
    if (gpa % kSnpPageSize != 0)
        return fail(Error::msg(where + ": not 4 KiB aligned"));
    if (source.empty() || source.size() % kSnpPageSize != 0)
        return fail(Error::msg(where + ": " + std::to_string(source.size()) +
                               " bytes of source, need a non-zero multiple of 4096"));
    if (gpa < m_next_gpa)
        return fail(Error::msg(where + ": below the end of the previous range (" + hex(m_next_gpa) +
                               "); ranges must come in ascending GPA order without overlap"));
    if (source.size() > std::numeric_limits<uint64_t>::max() - gpa)
        return fail(Error::msg(where + ": range wraps around the address space"));

    uapi::KvmSevSnpLaunchUpdate update{};
    update.gfn_start = gpa / kSnpPageSize;
    update.uaddr = std::bit_cast<uintptr_t>(source.data());
    update.len = source.size();
    update.type = static_cast<uint8_t>(type);
    if (auto r = m_kvm.snp_launch_update(update); !r)
        return fail(std::move(r).error().context(where));

    // The firmware measured these pages; the expected digest follows it, page by page.
    // NORMAL pages are hashed from the same bytes KVM copied; the others have no contents.
    auto measured = snp_page_type_has_contents(type)
                        ? m_digest.update_range(type, gpa, source)
                        : m_digest.update_range(type, gpa, source.size() / kSnpPageSize);
    if (!measured)
        return fail(std::move(measured).error().context(where + ": launch digest"));
    m_next_gpa = gpa + source.size();
    m_state = SnpLaunchState::Updating;
    return {};
}

Result<void> SnpLaunch::finish(const SnpHostData& host_data, std::span<const SnpVmsaPage> vmsas) {
    if (auto ok = require_state(kFinish, SnpLaunchState::Started, SnpLaunchState::Updating); !ok)
        return fail(std::move(ok).error());
    if (vmsas.empty())
        return fail(Error::msg(std::string(kFinish) + ": no VMSA pages given (one per vCPU)"));
    uapi::KvmSevSnpLaunchFinish finish{};
    finish.host_data = host_data;
    if (auto r = m_kvm.snp_launch_finish(finish); !r)
        return fail(std::move(r).error().context(kFinish));
    // KVM measures each vCPU's VMSA at kSnpVmsaGpa during LAUNCH_FINISH, after every update.
    for (const SnpVmsaPage& vmsa : vmsas) {
        if (auto r = m_digest.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsa); !r)
            return fail(std::move(r).error().context(std::string(kFinish) + ": launch digest"));
    }
    m_state = SnpLaunchState::Finished;
    return {};
}

}  // namespace cw::tee::snp
