#include "tee/snp/snp_host_check.h"

#include <string>

namespace cw::tee::snp {

namespace {

constexpr const char* kSnpCannot = ": this host cannot run SNP guests";

bool has_vm_type(uint64_t mask, uint32_t type) { return ((mask >> type) & 1U) != 0; }

}  // namespace

Result<void> check_snp_host(SnpKvm& kvm) {
    auto types = kvm.supported_vm_types();
    if (!types)
        return Error::msg("SEV-SNP: " + types.error().to_string() + kSnpCannot);
    if (!has_vm_type(types.value(), uapi::kKvmX86SnpVm))
        return Error::msg(std::string("SEV-SNP: KVM does not offer the SNP VM type (KVM_CAP_VM_TYPES lacks "
                                      "KVM_X86_SNP_VM)") + kSnpCannot);
    if (auto sev = kvm.require_sev_device(); !sev)
        return Error::msg("SEV-SNP: no SEV firmware device (" + sev.error().to_string() + ")" + kSnpCannot);
    return {};
}

Result<void> check_tdx_vm_type(const Result<uint64_t>& vm_types) {
    constexpr const char* kTdxCannot = ": this host cannot run TDX guests";
    if (!vm_types.ok())
        return Error::msg("TDX: " + vm_types.error().to_string() + kTdxCannot);
    if (!has_vm_type(vm_types.value(), uapi::kKvmX86TdxVm))
        return Error::msg(std::string("TDX: KVM does not offer the TDX VM type (KVM_CAP_VM_TYPES lacks "
                                      "KVM_X86_TDX_VM)") + kTdxCannot);
    return {};
}

}  // namespace cw::tee::snp
