// The /dev/kvm system fd: capability checks and VM creation. Together with vm_fd.h and
// vcpu_fd.h this is the only code that includes <linux/kvm.h>; every ioctl has one method
// whose error names the ioctl.
#pragma once

#include <cstddef>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "vmm/arch/x86_64/cpuid.h"
#include "vmm/kvm/vm_fd.h"

namespace cw::vmm {

class Kvm {
public:
    static Result<Kvm> open(const char* path = "/dev/kvm");

    // Fails naming the capability when KVM lacks it.
    [[nodiscard]] Result<void> require_extension(int capability, const char* name) const;
    // Everything Vm::create relies on: in-kernel irqchip and PIT, irqfd, ioeventfd, TSS.
    [[nodiscard]] Result<void> require_vm_capabilities() const;
    [[nodiscard]] Result<size_t> vcpu_mmap_size() const;
    [[nodiscard]] Result<std::vector<x86::CpuidEntry>> supported_cpuid() const;
    [[nodiscard]] Result<VmFd> create_vm() const;

private:
    explicit Kvm(UniqueFd fd) : m_fd(std::move(fd)) {}
    UniqueFd m_fd;
};

}  // namespace cw::vmm
