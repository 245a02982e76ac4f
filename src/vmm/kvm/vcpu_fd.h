// A vCPU file descriptor and its shared kvm_run area: register set-up and KVM_RUN.
#pragma once

#include <cstddef>
#include <span>

#include "base/result.h"
#include "base/unique_fd.h"
#include "vmm/arch/x86_64/boot_regs.h"
#include "vmm/arch/x86_64/cpuid.h"
#include "vmm/arch/x86_64/gdt.h"
#include "vmm/arch/x86_64/msrs.h"
#include "vmm/kvm/vcpu_exit.h"

struct kvm_run;

namespace cw::vmm {

class VcpuFd {
public:
    VcpuFd(UniqueFd fd, kvm_run* run, size_t run_size) : m_fd(std::move(fd)), m_run(run), m_run_size(run_size) {}
    VcpuFd(VcpuFd&& other) noexcept;
    VcpuFd& operator=(VcpuFd&&) = delete;
    VcpuFd(const VcpuFd&) = delete;
    ~VcpuFd();

    [[nodiscard]] Result<void> set_cpuid(std::span<const x86::CpuidEntry> entries);
    [[nodiscard]] Result<void> set_msrs(std::span<const x86::MsrEntry> msrs);
    [[nodiscard]] Result<void> set_regs(const x86::BootRegisters& regs);
    [[nodiscard]] Result<void> set_long_mode(const x86::LongModeState& state);
    // x87 control word and MXCSR at their reset values, as a BIOS would leave them.
    [[nodiscard]] Result<void> set_fpu_defaults();
    // LINT0 as ExtINT and LINT1 as NMI: what Linux expects of a PC's local APIC.
    [[nodiscard]] Result<void> set_lapic_lint();

    // Runs the vCPU until the next exit. Data of an I/O or MMIO exit lives in the kvm_run
    // area and is valid until the next run(); for reads the caller fills it in place.
    [[nodiscard]] Result<VcpuExit> run();
    // Makes the next (or current, once kicked) KVM_RUN return at once with EINTR.
    void set_immediate_exit(bool on);

private:
    UniqueFd m_fd;
    kvm_run* m_run;
    size_t m_run_size;
};

}  // namespace cw::vmm
