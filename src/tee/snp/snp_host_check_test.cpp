#include "tee/snp/snp_host_check.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "tee/snp/fake_snp_kvm.h"

using namespace cw::tee::snp;
using cw::tee::snp::testing::FakeSnpKvm;

TEST_CASE("a host whose KVM offers the SNP VM type and has /dev/sev passes") {
    FakeSnpKvm kvm;
    kvm.vm_types = (uint64_t{1} << uapi::kKvmX86DefaultVm) | (uint64_t{1} << uapi::kKvmX86SnpVm);
    CHECK(check_snp_host(kvm).ok());
}

TEST_CASE("a KVM without the SNP VM type fails in one line naming KVM_X86_SNP_VM") {
    FakeSnpKvm kvm;
    kvm.vm_types = (uint64_t{1} << uapi::kKvmX86DefaultVm) | (uint64_t{1} << uapi::kKvmX86TdxVm);
    auto r = check_snp_host(kvm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string() ==
          "SEV-SNP: KVM does not offer the SNP VM type (KVM_CAP_VM_TYPES lacks KVM_X86_SNP_VM): "
          "this host cannot run SNP guests");
}

TEST_CASE("a kernel without KVM_CAP_VM_TYPES (answer 0) is a host without SNP") {
    FakeSnpKvm kvm;
    kvm.vm_types = uint64_t{0};
    auto r = check_snp_host(kvm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string().find("lacks KVM_X86_SNP_VM") != std::string::npos);
}

TEST_CASE("a missing /dev/kvm is reported as the cause, in one line") {
    FakeSnpKvm kvm;
    kvm.vm_types = cw::Error::sys("open /dev/kvm", ENOENT);
    auto r = check_snp_host(kvm);
    REQUIRE_FALSE(r.ok());
    const std::string line = r.error().to_string();
    CHECK(line.rfind("SEV-SNP: open /dev/kvm: ", 0) == 0);
    CHECK(line.find("this host cannot run SNP guests") != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("the SNP VM type without the SEV firmware device fails naming /dev/sev") {
    FakeSnpKvm kvm;
    kvm.sev_device = false;
    auto r = check_snp_host(kvm);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string().rfind("SEV-SNP: no SEV firmware device (/dev/sev: ", 0) == 0);
}

TEST_CASE("the TDX check names KVM_X86_TDX_VM") {
    CHECK(check_tdx_vm_type(cw::Result<uint64_t>(uint64_t{1} << uapi::kKvmX86TdxVm)).ok());
    auto r = check_tdx_vm_type(cw::Result<uint64_t>(uint64_t{1} << uapi::kKvmX86SnpVm));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string() ==
          "TDX: KVM does not offer the TDX VM type (KVM_CAP_VM_TYPES lacks KVM_X86_TDX_VM): "
          "this host cannot run TDX guests");
}
