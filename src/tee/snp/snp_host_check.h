// Whether this host can run SEV-SNP guests, answered before anything is loaded, in one line
// naming the missing piece. cwrun --tee snp fails with that line (status 125) on any host
// without SNP: it never falls back to a non-confidential VM.
#pragma once

#include "base/result.h"
#include "tee/snp/snp_kvm.h"

namespace cw::tee::snp {

// Checks that KVM offers the SNP VM type (KVM_CAP_VM_TYPES has bit KVM_X86_SNP_VM) and that
// the SEV firmware device exists. The error is one line, e.g. "SEV-SNP: KVM does not offer
// the SNP VM type (KVM_CAP_VM_TYPES lacks KVM_X86_SNP_VM): this host cannot run SNP guests".
[[nodiscard]] Result<void> check_snp_host(SnpKvm& kvm);

// The same check for TDX: KVM_CAP_VM_TYPES has bit KVM_X86_TDX_VM. `vm_types` is what
// SnpKvm::supported_vm_types() (or any KVM_CHECK_EXTENSION(KVM_CAP_VM_TYPES)) returned.
[[nodiscard]] Result<void> check_tdx_vm_type(const Result<uint64_t>& vm_types);

}  // namespace cw::tee::snp
