#include "tee/tdx/tdx_kvm_ioctl.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <bit>
#include <cerrno>
#include <string>
#include <utility>

#include "base/hex.h"

namespace cw::tee::tdx {

namespace {

uapi::KvmTdxCmd command(uapi::TdxCmdId id, uint32_t flags, uint64_t data) {
    uapi::KvmTdxCmd cmd{};
    cmd.id = static_cast<uint32_t>(id);
    cmd.flags = flags;
    cmd.data = data;
    return cmd;
}

uint64_t address_of(const void* p) { return std::bit_cast<uintptr_t>(p); }

}  // namespace

Result<void> TdxKvmIoctl::open_kvm() {
    if (m_kvm.valid())
        return {};
    m_kvm.reset(::open(m_kvm_path.c_str(), O_RDWR | O_CLOEXEC));
    if (!m_kvm.valid())
        return Error::sys("open " + m_kvm_path);
    return {};
}

Result<void> TdxKvmIoctl::create_vm() {
    CW_TRY(open_kvm());
    if (m_vm.valid())
        return Error::msg("KVM_CREATE_VM(KVM_X86_TDX_VM): this TdxKvmIoctl already has a VM");
    UniqueFd vm(::ioctl(m_kvm.get(), uapi::kKvmCreateVm, uapi::kKvmX86TdxVm));
    if (!vm.valid())
        return Error::sys("KVM_CREATE_VM(KVM_X86_TDX_VM)");
    m_vm = std::move(vm);
    return {};
}

Result<void> TdxKvmIoctl::create_vcpu(uint32_t id) {
    if (!m_vm.valid())
        return Error::msg("KVM_CREATE_VCPU: no TDX VM (create_vm first)");
    if (id != m_vcpus.size())
        return Error::msg("KVM_CREATE_VCPU: vCPU " + std::to_string(id) + " out of order (next is " +
                          std::to_string(m_vcpus.size()) + ")");
    UniqueFd vcpu(::ioctl(m_vm.get(), uapi::kKvmCreateVcpu, static_cast<unsigned long>(id)));
    if (!vcpu.valid())
        return Error::sys("KVM_CREATE_VCPU " + std::to_string(id));
    m_vcpus.push_back(std::move(vcpu));
    return {};
}

Result<int> TdxKvmIoctl::vcpu_fd(const char* name, uint32_t vcpu) const {
    if (vcpu >= m_vcpus.size())
        return Error::msg(std::string(name) + ": no vCPU " + std::to_string(vcpu) + " (create_vcpu first)");
    return m_vcpus[vcpu].get();
}

Result<void> TdxKvmIoctl::tdx_op(int fd, const char* name, uapi::KvmTdxCmd& cmd) {
    if (fd < 0)
        return Error::msg(std::string(name) + ": no TDX VM (create_vm first)");
    if (::ioctl(fd, uapi::kKvmMemoryEncryptOp, &cmd) < 0) {
        int err = errno;
        return Error::sys(std::string(name) + " (TDX module status " + hex(cmd.hw_error) + ")", err);
    }
    return {};
}

Result<TdxCapabilities> TdxKvmIoctl::capabilities() {
    // Room for KVM's most CPUID entries: a TDX module has far fewer configurable leaves
    // (they must fit TD_PARAMS' 1 KiB), and KVM does not say how many it needs on -E2BIG.
    TdxIoctlBuffer buffer = tdx_capabilities_request(uapi::kKvmMaxCpuidEntries);
    auto cmd = command(uapi::TdxCmdId::Capabilities, 0, address_of(buffer.data()));
    CW_TRY(tdx_op(m_vm.get(), kCapabilities, cmd));
    return tdx_capabilities_from_buffer(buffer);
}

Result<void> TdxKvmIoctl::init_vm(const uapi::KvmTdxInitVm& init, std::span<const uapi::KvmCpuidEntry2> cpuid) {
    TdxIoctlBuffer buffer = CW_TRY(tdx_init_vm_buffer(init, cpuid));
    auto cmd = command(uapi::TdxCmdId::InitVm, 0, address_of(buffer.data()));
    return tdx_op(m_vm.get(), kInitVm, cmd);
}

Result<void> TdxKvmIoctl::finalize_vm() {
    auto cmd = command(uapi::TdxCmdId::FinalizeVm, 0, 0);
    return tdx_op(m_vm.get(), kFinalizeVm, cmd);
}

Result<void> TdxKvmIoctl::init_vcpu(uint32_t vcpu, uint64_t rcx) {
    const int fd = CW_TRY(vcpu_fd(kInitVcpu, vcpu));
    auto cmd = command(uapi::TdxCmdId::InitVcpu, 0, rcx);
    return tdx_op(fd, kInitVcpu, cmd);
}

Result<void> TdxKvmIoctl::init_mem_region(uint32_t vcpu, const uapi::KvmTdxInitMemRegion& region, uint32_t flags) {
    const int fd = CW_TRY(vcpu_fd(kInitMemRegion, vcpu));
    // A signal makes KVM stop with -EINTR after advancing the structure past the pages it
    // added; repeat until nothing is left, and stop if a call makes no progress.
    uapi::KvmTdxInitMemRegion remaining = region;
    while (remaining.nr_pages != 0) {
        const uint64_t before = remaining.nr_pages;
        auto cmd = command(uapi::TdxCmdId::InitMemRegion, flags, address_of(&remaining));
        auto r = tdx_op(fd, kInitMemRegion, cmd);
        if (!r && r.error().sys_errno() != EINTR)
            return r;
        if (remaining.nr_pages >= before)
            return Error::msg(std::string(kInitMemRegion) + ": no progress with " + std::to_string(remaining.nr_pages) +
                              " pages left");
    }
    return {};
}

}  // namespace cw::tee::tdx
