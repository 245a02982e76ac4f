// The Intel TDX launch sequence as a state machine over TdxKvm, so its steps cannot run
// out of order:
//
//   Created --read_capabilities()--> CapabilitiesRead --init_vm()--> VmInitialized
//           KVM_TDX_CAPABILITIES                        KVM_TDX_INIT_VM
//   --init_vcpu() x vcpu_count--> VcpusInitialized --add_region()*--> AddingMemory --finalize()--> Finalized
//     KVM_TDX_INIT_VCPU, each vCPU once              KVM_TDX_INIT_MEM_REGION         KVM_TDX_FINALIZE_VM
//
// A call in the wrong state fails naming the step and the state; any failure (a refused
// call, a KVM error, a measurement error) leaves the launch Failed, and every later call
// fails too: a half-measured TD must never be finalized and run.
//
// Alongside the commands the launch computes the MRTD the TDX module will report, with the
// same TdxMrtd code cw-measure (`tdx-pages`), oci2cw and the attestation server use:
// for each page of a region one TDH.MEM.PAGE.ADD and, for a measured region, right after
// it the page's 16 TDH.MR.EXTENDs ("single pass", the order of upstream KVM).
//
// Trust: the page contents, GPAs, CPUID values and configuration come from the VMM's own
// loader; nothing here reads guest-controlled data. The capabilities come from KVM, which
// the host controls anyway. MRTD here is only the VMM's expectation: the TD quote, signed
// through the TDX module and Intel's quoting enclave, is the evidence.
//
// What the caller still has to do around it (not built yet): create the VM with
// KVM_X86_TDX_VM, set up guest_memfd-backed private memory and mark it private, create the
// vCPUs and give them their CPUID (KVM_SET_CPUID2) between init_vm() and init_vcpu().
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "tee/measurement/tdx_measurement.h"
#include "tee/tdx/tdx_kvm.h"

namespace cw::tee::tdx {

enum class TdxLaunchState { Created, CapabilitiesRead, VmInitialized, VcpusInitialized, AddingMemory, Finalized, Failed };

[[nodiscard]] const char* tdx_launch_state_name(TdxLaunchState state);

// SHA-256 of the workload configuration (workload_host_data() in tee/launch/workload_cpio.h).
using TdxWorkloadDigest = std::array<uint8_t, 32>;

// MRCONFIGID for a workload: its configuration's SHA-256 followed by 16 zero bytes, so a TD
// quote names the configuration the TD was launched for (as SNP's HOST_DATA does).
[[nodiscard]] uapi::TdxMr tdx_mrconfigid(const TdxWorkloadDigest& workload_config_sha256);

struct TdxVmConfig {
    // XFAM: the XSAVE features (XCR0 and IA32_XSS bits) the TD may use. Reported in every
    // TD quote; must be within what KVM_TDX_CAPABILITIES allows.
    uint64_t xfam = 0;
    // The number of vCPUs; each gets exactly one init_vcpu().
    uint32_t vcpu_count = 1;
    // The CPUID values KVM_TDX_INIT_VM configures (only configurable leaves; KVM refuses
    // others). Must contain leaf 0x80000008 with the guest physical address width, 48 or
    // 52, in EAX[23:16].
    std::vector<uapi::KvmCpuidEntry2> cpuid;
    // Bound into MRCONFIGID (tdx_mrconfigid()).
    TdxWorkloadDigest workload_config_sha256{};
};

// Whether a region's contents are measured (TDH.MR.EXTEND) or only its GPAs (TDH.MEM.PAGE.ADD).
enum class TdxMeasure { Measured, Unmeasured };

class TdxLaunch {
public:
    explicit TdxLaunch(TdxKvm& kvm) : m_kvm(kvm) {}

    // KVM_TDX_CAPABILITIES. Fails in one line if the host does not offer SEPT_VE_DISABLE,
    // which every TD we launch needs (tdx_attributes.h).
    [[nodiscard]] Result<void> read_capabilities();
    // KVM_TDX_INIT_VM with attributes tdx_td_attributes(), config.xfam, MRCONFIGID from
    // the workload digest, MROWNER and MROWNERCONFIG zero, and config.cpuid. The XFAM must
    // be within the capabilities; MRTD starts here (TDH.MNG.INIT).
    [[nodiscard]] Result<void> init_vm(const TdxVmConfig& config);
    // KVM_TDX_INIT_VCPU of vCPU `vcpu` (< vcpu_count, each exactly once) with `rcx` as its
    // initial RCX: TDVF reads its TD HOB's GPA from there; our boot stub will get the same.
    // After the last vCPU the launch is VcpusInitialized.
    [[nodiscard]] Result<void> init_vcpu(uint32_t vcpu, uint64_t rcx);
    // KVM_TDX_INIT_MEM_REGION of the pages at [gpa, gpa + source.size()) from `source`, the
    // VMM's (shared, userspace) copy of them, through vCPU 0; with the MEASURE flag for
    // TdxMeasure::Measured. `source` is a non-zero whole number of 4 KiB pages starting at
    // a 4 KiB-aligned address (KVM requires both) and stays valid for the call; `gpa` is
    // 4 KiB aligned and the range lies below the shared bit. Regions must come in ascending
    // GPA order without overlap, the order the offline measurement assumes.
    [[nodiscard]] Result<void> add_region(uint64_t gpa, std::span<const uint8_t> source, TdxMeasure measure);
    // KVM_TDX_FINALIZE_VM (TDH.MR.FINALIZE), after at least one region.
    [[nodiscard]] Result<void> finalize();

    [[nodiscard]] TdxLaunchState state() const { return m_state; }
    // What KVM_TDX_CAPABILITIES answered (after read_capabilities()).
    [[nodiscard]] const std::optional<TdxCapabilities>& capabilities() const { return m_caps; }
    // MRTD of every operation so far; after finalize(), the MRTD the TD's quotes will carry.
    [[nodiscard]] Result<Sha384Digest> mrtd() const;

private:
    Result<void> require_state(const char* step, TdxLaunchState a, TdxLaunchState b) const;
    Result<void> check_vm_config(const TdxVmConfig& config);
    Result<void> measure_region(uint64_t gpa, std::span<const uint8_t> source, TdxMeasure measure);
    // Records the failure: the launch is dead from here on.
    Error fail(Error error);

    TdxKvm& m_kvm;
    TdxLaunchState m_state = TdxLaunchState::Created;
    std::string m_failed_step;           // the error that killed the launch, for later errors
    std::optional<TdxCapabilities> m_caps;
    std::vector<bool> m_vcpu_initialized;
    uint32_t m_vcpus_left = 0;
    uint64_t m_shared_bit = 0;           // GPAs at or above it are shared, not private
    uint64_t m_next_gpa = 0;             // regions must start at or above this GPA
    std::optional<TdxMrtd> m_mrtd;
};

}  // namespace cw::tee::tdx
