#include "tee/snp/snp_vmsa.h"

#include <cstring>

// Function names below are upstream Linux (arch/x86/kvm/svm/{svm,sev}.c, arch/x86/kvm/x86.c,
// arch/x86/kernel/fpu/core.c), checked against v6.12 and the current tree.
//
// Not modelled because the VMM never does it: a second KVM_SET_SREGS (svm_set_cr0() sets or
// clears EFER.LMA on a paging transition from the previous CR0), KVM_SET_XCRS, writes to
// MSR_IA32_CR_PAT, DEBUGCTL, SPEC_CTRL or the CET MSRs, KVM_SET_GUEST_DEBUG (refused for SEV-ES
// anyway). boot_msrs() writes only zeros to the MSRs that live in the VMSA (STAR, LSTAR, CSTAR,
// SFMASK, KERNEL_GS_BASE, SYSENTER_*), so they stay zero; the rest of them (TSC, MISC_ENABLE,
// MTRR_DEF_TYPE) live outside it.
//
// A vCPU the VMM does not program gets KVM's reset state instead, which is not
// reset_vcpu_state(): init_vmcb() loads data segments with attributes 0x92 and CS with 0x9a
// (no accessed bit), TR as a busy 16-bit TSS (0x83), and kvm_vcpu_reset() puts CPUID(1).EAX,
// or 0x600 before KVM_SET_CPUID2, in RDX. That is the page sev-snp-measure calls "EC2".

namespace cw::tee::snp {

namespace {

constexpr uint64_t kEferSvme = 1u << 12;
constexpr uint64_t kCr0Nw = 1u << 29;
constexpr uint64_t kCr0Cd = 1u << 30;
constexpr uint64_t kCr4Mce = 1u << 6;
constexpr uint64_t kRflagsFixed = 1u << 1;  // X86_EFLAGS_FIXED
constexpr uint64_t kDr6ActiveLow = 0xffff0ff0;  // DR6_ACTIVE_LOW
constexpr uint64_t kDr7Fixed1 = 0x400;  // DR7_FIXED_1
constexpr uint64_t kPatDefault = 0x0007040600070406;  // MSR_IA32_CR_PAT_DEFAULT
constexpr uint64_t kXcr0Fp = 1;  // XFEATURE_MASK_FP
constexpr uint16_t kFcwDefault = 0x37f;
constexpr uint32_t kMxcsrDefault = 0x1f80;  // MXCSR_DEFAULT
constexpr uint16_t kSvmAttribBits = 0x0fff;  // type, S, DPL, P, AVL, L, D/B, G: all kvm_segment has
constexpr unsigned kSvmDplShift = 5;

// svm_set_segment(): KVM repacks kvm_segment's fields into the SVM attribute word. The VMM
// fills kvm_segment from the same packing with unusable = 0, so bits 11:0 come back as given.
VmcbSeg segment(const VcpuSegment& s) {
    return {s.selector, static_cast<uint16_t>(s.attrib & kSvmAttribBits), s.limit, s.base};
}

// svm_set_gdt() / svm_set_idt(): kvm_dtable carries a 16-bit limit and a base, nothing else.
VmcbSeg descriptor_table(const VcpuSegment& s) {
    return {0, 0, static_cast<uint16_t>(s.limit), s.base};
}

}  // namespace

SnpVmsaPage snp_vmsa_page(const VcpuLaunchState& state, uint64_t vmsa_features) {
    SevEsSaveArea save{};

    // __set_sregs_common() -> svm_set_segment() / svm_set_gdt() / svm_set_idt().
    save.es = segment(state.es);
    save.cs = segment(state.cs);
    save.ss = segment(state.ss);
    save.ds = segment(state.ds);
    save.fs = segment(state.fs);
    save.gs = segment(state.gs);
    save.ldtr = segment(state.ldtr);
    save.tr = segment(state.tr);
    save.gdtr = descriptor_table(state.gdtr);
    save.idtr = descriptor_table(state.idtr);
    // svm_set_segment(): the CPL is SS.DPL.
    save.cpl = static_cast<uint8_t>((state.ss.attrib >> kSvmDplShift) & 3u);

    // svm_set_efer(): the VMCB copy always has EFER.SVME. (A valid long-mode state already has
    // LMA, so svm_set_cr0()'s LMA/LME update changes nothing.)
    save.efer = state.efer | kEferSvme;
    // svm_set_cr0(): KVM_X86_QUIRK_CD_NW_CLEARED is on unless the VMM disables it (ours does
    // not), so CD and NW never reach the VMCB: the reset CR0 0x60000010 becomes 0x10. SNP
    // requires NPT, so the shadow-paging PG/WP forcing does not apply.
    save.cr0 = state.cr0 & ~(kCr0Cd | kCr0Nw);
    // svm_set_cr4(): CR4.MCE is copied from the host's CR4. Host-dependent: Linux sets it at
    // boot on every CPU with machine-check support (__mcheck_cpu_init_generic()), which every
    // SNP-capable EPYC is; only a host booted with mce=off would clear it.
    save.cr4 = state.cr4 | kCr4Mce;
    // sev_post_set_cr3(): for SEV-ES/SNP guests KVM writes CR3 into the VMCB at KVM_SET_SREGS.
    save.cr3 = state.cr3;
    // kvm_vcpu_reset() -> kvm_update_dr7() -> svm_set_dr7(); sev_es_sync_vmsa() refuses any
    // other DR7.
    save.dr7 = kDr7Fixed1;
    // __set_regs() -> kvm_set_rflags(regs->rflags | X86_EFLAGS_FIXED) -> svm_set_rflags().
    save.rflags = state.rflags | kRflagsFixed;
    // init_vmcb(): save->g_pat = vcpu->arch.pat, the power-on default; the VMM writes no PAT.
    save.g_pat = kPatDefault;

    // sev_es_sync_vmsa(): GPRs and RIP from vcpu->arch.regs, as KVM_SET_REGS left them.
    save.rip = state.rip;
    save.rsp = state.rsp;
    save.rbp = state.rbp;
    save.rsi = state.rsi;
    save.rdx = state.rdx;
    // sev_es_sync_vmsa(): XCR0, PKRU, XSS and DR6 from their reset values in kvm_vcpu_reset()
    // (XFEATURE_MASK_FP, 0, 0, DR6_ACTIVE_LOW).
    save.xcr0 = kXcr0Fp;
    save.dr6 = kDr6ActiveLow;
    // __sev_guest_init() ORs SNPActive into vmsa_features for KVM_X86_SNP_VM;
    // sev_es_sync_vmsa() stores the result.
    save.sev_features = vmsa_features | kSevFeatureSnpActive;

    // sev_es_sync_vmsa(), for vm_type != KVM_X86_DEFAULT_VM: the x87/SSE/AVX state from the
    // guest fpstate. FCW 0x37f is what KVM_SET_FPU writes (and fpstate_init_fxstate()'s
    // default). MXCSR 0x1f80 comes from fpstate_init_fxstate() alone: KVM_SET_FPU ignores
    // kvm_fpu.mxcsr. FTW 0 (abridged: all empty), FSW, FOP, the pointers and every register
    // are zero; x87_ds/x87_cs are always 0.
    save.x87_fcw = kFcwDefault;
    save.mxcsr = kMxcsrDefault;

    SnpVmsaPage page{};
    std::memcpy(page.data(), &save, sizeof save);
    return page;
}

}  // namespace cw::tee::snp
