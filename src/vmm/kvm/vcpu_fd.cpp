#include "vmm/kvm/vcpu_fd.h"

#include "vmm/kvm/flex_buffer.h"
#include "vmm/kvm/kvm_uapi.h"
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace cw::vmm {

namespace {

// Local APIC register offsets and delivery modes (Intel SDM vol. 3, 10.5.1).
constexpr size_t kApicLvtLint0 = 0x350;
constexpr size_t kApicLvtLint1 = 0x360;
constexpr uint32_t kApicDeliveryModeMask = 0x700;
constexpr uint32_t kApicModeNmi = 0x4 << 8;
constexpr uint32_t kApicModeExtInt = 0x7 << 8;

kvm_segment to_kvm(const x86::Segment& s) {
    kvm_segment k{};
    k.base = s.base;
    k.limit = s.limit;
    k.selector = s.selector;
    k.type = s.type;
    k.present = s.present;
    k.dpl = s.dpl;
    k.db = s.db;
    k.s = s.s;
    k.l = s.l;
    k.g = s.g;
    k.avl = s.avl;
    return k;
}

void set_lvt_mode(kvm_lapic_state& lapic, size_t offset, uint32_t mode) {
    uint32_t value;
    std::memcpy(&value, lapic.regs + offset, sizeof value);
    value = (value & ~kApicDeliveryModeMask) | mode;
    std::memcpy(lapic.regs + offset, &value, sizeof value);
}

}  // namespace

VcpuFd::VcpuFd(VcpuFd&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_run(std::exchange(other.m_run, nullptr)), m_run_size(other.m_run_size) {}

VcpuFd::~VcpuFd() {
    if (m_run != nullptr)
        ::munmap(m_run, m_run_size);
}

Result<void> VcpuFd::set_cpuid(std::span<const x86::CpuidEntry> entries) {
    FlexBuffer<kvm_cpuid2, kvm_cpuid_entry2> cpuid(entries.size());
    cpuid->nent = static_cast<uint32_t>(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        cpuid->entries[i] = kvm_cpuid_entry2{e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx, {}};
    }
    if (::ioctl(m_fd.get(), KVM_SET_CPUID2, cpuid.get()) < 0)
        return Error::sys("KVM_SET_CPUID2");
    return {};
}

Result<void> VcpuFd::set_msrs(std::span<const x86::MsrEntry> msrs) {
    FlexBuffer<kvm_msrs, kvm_msr_entry> list(msrs.size());
    list->nmsrs = static_cast<uint32_t>(msrs.size());
    for (size_t i = 0; i < msrs.size(); ++i) {
        list->entries[i].index = msrs[i].index;
        list->entries[i].data = msrs[i].value;
    }
    int written = ::ioctl(m_fd.get(), KVM_SET_MSRS, list.get());
    if (written < 0)
        return Error::sys("KVM_SET_MSRS");
    // KVM stops at the first MSR it refuses and returns how many it set.
    if (static_cast<size_t>(written) != msrs.size())
        return Error::msg("KVM_SET_MSRS: MSR " + std::to_string(msrs[static_cast<size_t>(written)].index) +
                          " refused");
    return {};
}

Result<void> VcpuFd::set_regs(const x86::BootRegisters& boot) {
    kvm_regs regs{};
    regs.rip = boot.rip;
    regs.rsp = boot.rsp;
    regs.rbp = boot.rbp;
    regs.rsi = boot.rsi;
    regs.rflags = boot.rflags;
    if (::ioctl(m_fd.get(), KVM_SET_REGS, &regs) < 0)
        return Error::sys("KVM_SET_REGS");
    return {};
}

Result<void> VcpuFd::set_long_mode(const x86::LongModeState& state) {
    kvm_sregs sregs{};
    if (::ioctl(m_fd.get(), KVM_GET_SREGS, &sregs) < 0)
        return Error::sys("KVM_GET_SREGS");
    sregs.cs = to_kvm(state.cs);
    sregs.ds = to_kvm(state.ds);
    sregs.es = to_kvm(state.es);
    sregs.fs = to_kvm(state.fs);
    sregs.gs = to_kvm(state.gs);
    sregs.ss = to_kvm(state.ss);
    sregs.tr = to_kvm(state.tr);
    sregs.gdt.base = state.gdt_base;
    sregs.gdt.limit = state.gdt_limit;
    sregs.idt.base = state.idt_base;
    sregs.idt.limit = state.idt_limit;
    sregs.cr0 = state.cr0;
    sregs.cr3 = state.cr3;
    sregs.cr4 = state.cr4;
    sregs.efer = state.efer;
    if (::ioctl(m_fd.get(), KVM_SET_SREGS, &sregs) < 0)
        return Error::sys("KVM_SET_SREGS");
    return {};
}

Result<void> VcpuFd::set_fpu_defaults() {
    kvm_fpu fpu{};
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80;
    if (::ioctl(m_fd.get(), KVM_SET_FPU, &fpu) < 0)
        return Error::sys("KVM_SET_FPU");
    return {};
}

Result<void> VcpuFd::set_lapic_lint() {
    kvm_lapic_state lapic{};
    if (::ioctl(m_fd.get(), KVM_GET_LAPIC, &lapic) < 0)
        return Error::sys("KVM_GET_LAPIC");
    set_lvt_mode(lapic, kApicLvtLint0, kApicModeExtInt);
    set_lvt_mode(lapic, kApicLvtLint1, kApicModeNmi);
    if (::ioctl(m_fd.get(), KVM_SET_LAPIC, &lapic) < 0)
        return Error::sys("KVM_SET_LAPIC");
    return {};
}

void VcpuFd::set_immediate_exit(bool on) { m_run->immediate_exit = on ? 1 : 0; }

Result<VcpuExit> VcpuFd::run() {
    VcpuExit exit;
    if (::ioctl(m_fd.get(), KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            exit.kind = VcpuExit::Kind::Interrupted;
            return exit;
        }
        return Error::sys("KVM_RUN");
    }
    auto* base = reinterpret_cast<uint8_t*>(m_run);
    exit.detail = m_run->exit_reason;
    switch (m_run->exit_reason) {
    case KVM_EXIT_IO: {
        const auto& io = m_run->io;
        // data_offset and size*count come from KVM, but check them against the mapping
        // anyway: a wrong span here would be a host memory error.
        uint64_t len = uint64_t{io.size} * io.count;
        if (io.data_offset > m_run_size || len > m_run_size - io.data_offset)
            return Error::msg("KVM_RUN: I/O exit data outside the kvm_run area");
        exit.kind = io.direction == KVM_EXIT_IO_OUT ? VcpuExit::Kind::IoOut : VcpuExit::Kind::IoIn;
        exit.address = io.port;
        exit.count = io.count;
        exit.data = std::span<uint8_t>(base + io.data_offset, len);
        break;
    }
    case KVM_EXIT_MMIO: {
        auto& mmio = m_run->mmio;
        exit.kind = mmio.is_write ? VcpuExit::Kind::MmioWrite : VcpuExit::Kind::MmioRead;
        exit.address = mmio.phys_addr;
        exit.data = std::span<uint8_t>(mmio.data, std::min<size_t>(mmio.len, sizeof mmio.data));
        break;
    }
    case KVM_EXIT_HLT:
        exit.kind = VcpuExit::Kind::Hlt;
        break;
    case KVM_EXIT_SHUTDOWN:
        exit.kind = VcpuExit::Kind::Shutdown;
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        exit.kind = VcpuExit::Kind::SystemEvent;
        exit.detail = m_run->system_event.type;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        exit.kind = VcpuExit::Kind::InternalError;
        exit.detail = m_run->internal.suberror;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        exit.kind = VcpuExit::Kind::FailEntry;
        exit.detail = m_run->fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_INTR:
        exit.kind = VcpuExit::Kind::Interrupted;
        break;
    default:
        exit.kind = VcpuExit::Kind::Unknown;
        break;
    }
    return exit;
}

}  // namespace cw::vmm
