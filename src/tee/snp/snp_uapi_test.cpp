// snp_uapi.h checks its own sizes, offsets and ioctl numbers with static_asserts; this file
// cross-checks what Debian's 6.1 <linux/kvm.h> does declare against our declarations, so
// the two sources of the same ABI cannot disagree unnoticed.
#include "tee/snp/snp_uapi.h"

#include <doctest/doctest.h>

#include "vmm/kvm/kvm_uapi.h"

namespace uapi = cw::tee::snp::uapi;

static_assert(uapi::kKvmIo == KVMIO);
static_assert(uapi::kKvmCreateVm == KVM_CREATE_VM);
static_assert(uapi::kKvmCheckExtension == KVM_CHECK_EXTENSION);
static_assert(uapi::kKvmMemoryEncryptOp == KVM_MEMORY_ENCRYPT_OP);
static_assert(uapi::kKvmSetUserMemoryRegion2 == _IOW(KVMIO, 0x49, uapi::KvmUserspaceMemoryRegion2));
static_assert(uapi::kKvmCreateGuestMemfd == _IOWR(KVMIO, 0xd4, uapi::KvmCreateGuestMemfd));
static_assert(uapi::kKvmSetMemoryAttributes == _IOW(KVMIO, 0xd2, uapi::KvmMemoryAttributes));
static_assert(sizeof(uapi::KvmSevCmd) == sizeof(kvm_sev_cmd));
static_assert(offsetof(uapi::KvmSevCmd, error) == offsetof(kvm_sev_cmd, error));
static_assert(offsetof(uapi::KvmSevCmd, sev_fd) == offsetof(kvm_sev_cmd, sev_fd));
// KVM_SEV_INIT2 is the entry after the last one 6.1 has.
static_assert(static_cast<uint32_t>(uapi::SevCmdId::Init2) == KVM_SEV_SEND_CANCEL + 1);
// The memslot flags 6.1 has, so KVM_MEM_GUEST_MEMFD is the next bit.
static_assert(uapi::kKvmMemGuestMemfd == (KVM_MEM_READONLY << 1));

TEST_CASE("SNP uAPI numbers match the upstream kernel values") {
    // Values as the upstream headers define them (include/uapi/linux/kvm.h, Linux 6.11).
    CHECK(uapi::kKvmCapVmTypes == 235);
    CHECK(uapi::kKvmX86SnpVm == 4);
    CHECK(uapi::kKvmX86TdxVm == 5);
    CHECK(static_cast<uint32_t>(uapi::SevCmdId::SnpLaunchStart) == 100);
    CHECK(static_cast<uint32_t>(uapi::SevCmdId::SnpLaunchUpdate) == 101);
    CHECK(static_cast<uint32_t>(uapi::SevCmdId::SnpLaunchFinish) == 102);
    CHECK(uapi::kKvmMemoryAttributePrivate == 8);
}
