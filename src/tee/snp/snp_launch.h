// The SEV-SNP launch sequence as a state machine over SnpKvm, so its steps cannot run out
// of order:
//
//   Created --init()--> Initialized --start()--> Started --update()*--> Updating --finish()--> Finished
//             KVM_SEV_INIT2         SNP_LAUNCH_START      SNP_LAUNCH_UPDATE        SNP_LAUNCH_FINISH
//
// A call in the wrong state fails naming the step and the state; any failure (a refused
// call, a KVM error, a digest error) leaves the launch Failed, and every later call fails
// too: a half-measured guest must never be finished and run.
//
// Alongside the commands the launch computes, page by page, the launch digest the firmware
// will report (SnpLaunchDigest, the same code cw-measure, oci2cw and the attestation server
// use), so the VMM knows the measurement of the launch it actually performed.
//
// Trust: the page contents and GPAs come from the VMM's own loader; nothing here reads
// guest-controlled data. The digest is only the VMM's expectation: the guest's attestation
// report, signed by the AMD-SP, is the evidence.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "tee/measurement/snp_launch_digest.h"
#include "tee/snp/snp_kvm.h"
#include "tee/snp/snp_policy.h"

namespace cw::tee::snp {

enum class SnpLaunchState { Created, Initialized, Started, Updating, Finished, Failed };

[[nodiscard]] const char* snp_launch_state_name(SnpLaunchState state);

// HOST_DATA: 32 bytes the host binds into every attestation report. We pass the SHA-256 of
// the workload configuration (workload_host_data() in tee/launch/workload_cpio.h).
using SnpHostData = std::array<uint8_t, uapi::kSnpFinishDataSize>;

// One VMSA page, as KVM will measure it at LAUNCH_FINISH (one per vCPU, in vCPU order).
using SnpVmsaPage = std::array<uint8_t, kSnpPageSize>;

// The VMSA features our launches give KVM_SEV_INIT2: none beyond SNPActive (as libkrun).
// They are in every VMSA page, so cw-measure and the launch take them from here.
inline constexpr uint64_t kSnpVmsaFeatures = 0;

// The GHCB protocol version given to KVM_SEV_INIT2: SNP guests need version 2.
inline constexpr uint16_t kSnpGhcbVersion = 2;

class SnpLaunch {
public:
    explicit SnpLaunch(SnpKvm& kvm) : m_kvm(kvm) {}

    // KVM_SEV_INIT2 with `vmsa_features`: the SEV_FEATURES of every vCPU's VMSA beyond
    // SNPActive, which KVM sets itself (attestation-facts.md 2.3). They change the VMSA
    // pages, hence the digest, so they are the caller's explicit choice.
    [[nodiscard]] Result<void> init(uint64_t vmsa_features);
    // SNP_LAUNCH_START with snp_policy(policy).
    [[nodiscard]] Result<void> start(const SnpPolicyConfig& policy);
    // SNP_LAUNCH_UPDATE of the pages at [gpa, gpa + source.size()) from `source`, the
    // VMM's (shared, userspace) copy of them. `source` is a non-zero whole number of 4 KiB
    // pages and stays valid for the call; `gpa` is 4 KiB aligned. Ranges must come in
    // ascending GPA order without overlap, the order the loader's LaunchPages walks and
    // the offline measurement assumes. `type` is NORMAL, ZERO, UNMEASURED, SECRETS or
    // CPUID; VMSA pages are not updated: KVM measures them at finish().
    [[nodiscard]] Result<void> update(SnpPageType type, uint64_t gpa, std::span<const uint8_t> source);
    // SNP_LAUNCH_FINISH with `host_data` and no ID block. `vmsas` are the VMSA pages KVM
    // will measure (one per vCPU); they are added to the expected digest, not sent.
    [[nodiscard]] Result<void> finish(const SnpHostData& host_data, std::span<const SnpVmsaPage> vmsas);

    [[nodiscard]] SnpLaunchState state() const { return m_state; }
    // The launch digest of every page measured so far; after finish(), the MEASUREMENT the
    // guest's reports will carry if KVM's VMSAs equal `vmsas`.
    [[nodiscard]] const SnpLaunchDigest& digest() const { return m_digest; }

private:
    Result<void> require_state(const char* step, SnpLaunchState a, SnpLaunchState b) const;
    // Records the failure: the launch is dead from here on.
    Error fail(Error error);

    SnpKvm& m_kvm;
    SnpLaunchState m_state = SnpLaunchState::Created;
    std::string m_failed_step;   // the step that killed the launch, for later errors
    uint64_t m_next_gpa = 0;     // updates must start at or above this GPA
    SnpLaunchDigest m_digest;
};

}  // namespace cw::tee::snp
