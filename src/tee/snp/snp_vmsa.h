// The VMSA page KVM builds for a vCPU of an SEV-SNP guest and measures at SNP_LAUNCH_FINISH
// (one VMSA-type PAGE_INFO per vCPU, GPA 0xFFFFFFFFF000), computed offline so the launch
// digest can be known before, and without, the hardware.
//
// How KVM builds it (upstream arch/x86/kvm/svm/sev.c sev_es_sync_vmsa(), v6.11 and later):
// the first 0x2E8 bytes are a memcpy() of the VMCB save area (struct vmcb_save_area, whose
// fields sit at the same offsets), into which KVM_SET_SREGS, KVM_SET_MSRS and the vCPU reset
// have written; then KVM stores the GPRs, RIP, XCR0, PKRU, XSS, DR6 and SEV_FEATURES from its
// own copies and, for every VM type but KVM_X86_DEFAULT_VM, the x87/SSE/AVX state from the
// guest FPU. Everything else in the page is zero: the VMCB and VMSA pages are allocated zeroed
// (snp_safe_alloc_page()). snp_vmsa.cpp cites the function behind each value.
//
// Trust: computed from the VMM's own register state. The result is only the VMM's
// expectation; if KVM builds a different page, the guest's attestation report says so.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tee/launch/sim_vmsa.h"
#include "tee/snp/snp_launch.h"

namespace cw::tee::snp {

// --- wire format (arch/x86/include/asm/svm.h; AMD APM vol. 2, table B-4) ---------------

// struct vmcb_seg. attrib is the SVM packing: type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11.
struct VmcbSeg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};
static_assert(sizeof(VmcbSeg) == 16 && offsetof(VmcbSeg, base) == 8);

// struct sev_es_save_area: the SEV-ES/SNP VMSA; the rest of the 4 KiB page is zero. Every field
// sits at its natural alignment, so the struct has no padding and needs no packing.
struct SevEsSaveArea {
    VmcbSeg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;  // 0x000
    uint64_t pl0_ssp, pl1_ssp, pl2_ssp, pl3_ssp, u_cet;     // 0x0a0
    uint8_t reserved_0xc8[2];
    uint8_t vmpl;                                           // 0x0ca
    uint8_t cpl;                                            // 0x0cb
    uint8_t reserved_0xcc[4];
    uint64_t efer;                                          // 0x0d0
    uint8_t reserved_0xd8[104];
    uint64_t xss;                                           // 0x140
    uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;          // 0x148
    uint64_t dr0, dr1, dr2, dr3;                            // 0x180
    uint64_t dr0_addr_mask, dr1_addr_mask, dr2_addr_mask, dr3_addr_mask;
    uint8_t reserved_0x1c0[24];
    uint64_t rsp, s_cet, ssp, isst_addr, rax;               // 0x1d8
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;    // 0x200
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2;  // 0x228
    uint8_t reserved_0x248[32];
    uint64_t g_pat, dbgctl, br_from, br_to, last_excp_from, last_excp_to;  // 0x268
    uint8_t reserved_0x298[80];
    uint32_t pkru;                                          // 0x2e8
    uint32_t tsc_aux;
    uint64_t tsc_scale, tsc_offset;                         // 0x2f0
    uint8_t reserved_0x300[8];
    uint64_t rcx, rdx, rbx;                                 // 0x308
    uint64_t reserved_0x320;                                // RSP lives at 0x1d8
    uint64_t rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;  // 0x328
    uint8_t reserved_0x380[16];
    uint64_t guest_exit_info_1, guest_exit_info_2, guest_exit_int_info, guest_nrip;  // 0x390
    uint64_t sev_features;                                  // 0x3b0
    uint64_t vintr_ctrl, guest_exit_code, virtual_tom, tlb_id, pcpu_id, event_inj;
    uint64_t xcr0;                                          // 0x3e8
    uint8_t reserved_0x3f0[16];
    // The floating-point area, which KVM fills for KVM_X86_SNP_VM guests only.
    uint64_t x87_dp;                                        // 0x400
    uint32_t mxcsr;                                         // 0x408
    uint16_t x87_ftw, x87_fsw, x87_fcw, x87_fop, x87_ds, x87_cs;  // 0x40c
    uint64_t x87_rip;                                       // 0x418
    uint8_t fpreg_x87[80];                                  // 0x420
    uint8_t fpreg_xmm[256];                                 // 0x470
    uint8_t fpreg_ymm[256];                                 // 0x570
};
static_assert(std::endian::native == std::endian::little, "the VMSA is little-endian in memory");
static_assert(std::is_standard_layout_v<SevEsSaveArea> && std::has_unique_object_representations_v<SevEsSaveArea>);
static_assert(sizeof(SevEsSaveArea) == 0x670);  // EXPECTED_SEV_ES_SAVE_AREA_SIZE (1648)
static_assert(sizeof(SevEsSaveArea) <= kSnpPageSize);
// The kernel's own checks (BUILD_BUG_RESERVED_OFFSET(sev_es_save_area, ...)).
static_assert(offsetof(SevEsSaveArea, reserved_0xc8) == 0xc8 && offsetof(SevEsSaveArea, reserved_0xcc) == 0xcc);
static_assert(offsetof(SevEsSaveArea, reserved_0xd8) == 0xd8 && offsetof(SevEsSaveArea, reserved_0x1c0) == 0x1c0);
static_assert(offsetof(SevEsSaveArea, reserved_0x248) == 0x248 && offsetof(SevEsSaveArea, reserved_0x298) == 0x298);
static_assert(offsetof(SevEsSaveArea, reserved_0x300) == 0x300 && offsetof(SevEsSaveArea, reserved_0x320) == 0x320);
static_assert(offsetof(SevEsSaveArea, reserved_0x380) == 0x380 && offsetof(SevEsSaveArea, reserved_0x3f0) == 0x3f0);
// The fields this code writes, at the offsets sev-snp-measure's and the sev crate's VMSA use.
static_assert(offsetof(SevEsSaveArea, cpl) == 0xcb && offsetof(SevEsSaveArea, efer) == 0xd0);
static_assert(offsetof(SevEsSaveArea, cr4) == 0x148 && offsetof(SevEsSaveArea, rip) == 0x178);
static_assert(offsetof(SevEsSaveArea, rsp) == 0x1d8 && offsetof(SevEsSaveArea, g_pat) == 0x268);
static_assert(offsetof(SevEsSaveArea, rdx) == 0x310 && offsetof(SevEsSaveArea, rsi) == 0x330);
static_assert(offsetof(SevEsSaveArea, sev_features) == 0x3b0 && offsetof(SevEsSaveArea, xcr0) == 0x3e8);
static_assert(offsetof(SevEsSaveArea, mxcsr) == 0x408 && offsetof(SevEsSaveArea, x87_fcw) == 0x410);

// sizeof(struct vmcb_save_area) (EXPECTED_VMCB_SAVE_AREA_SIZE): the prefix of the VMSA that
// sev_es_sync_vmsa() copies from the VMCB; PKRU is the first field past it.
inline constexpr size_t kVmcbSaveAreaSize = 0x2e8;
static_assert(offsetof(SevEsSaveArea, pkru) == kVmcbSaveAreaSize);

// --- the page -----------------------------------------------------------------------------

// SEV_FEATURES bit 0; KVM always sets it for an SNP guest on top of KVM_SEV_INIT2's vmsa_features.
inline constexpr uint64_t kSevFeatureSnpActive = 1;

// The VMSA page KVM measures at SNP_LAUNCH_FINISH for a vCPU the VMM programmed with `state`
// (KVM_SET_SREGS + KVM_SET_REGS carrying exactly these values, KVM_SET_FPU with FCW 0x37f and
// MXCSR 0x1f80, the MSRs of src/vmm/arch/x86_64/msrs.cpp boot_msrs()), on an SNP VM
// (KVM_X86_SNP_VM) created with KVM_SEV_INIT2 vmsa_features = `vmsa_features`. (KVM_SET_FPU
// ignores kvm_fpu.mxcsr; 0x1f80 is the guest FPU's initial MXCSR anyway.)
//
// `state` must be one KVM_SET_SREGS accepts (kvm_is_valid_sregs(): in long mode EFER.LMA set
// and CR4.PAE); it is not checked here. What kvm_sregs cannot carry is dropped as KVM would
// never see it: segment attribute bits 15:12, GDTR/IDTR selector and attributes, and GDTR/IDTR
// limit bits above 15. GPRs that VcpuLaunchState lacks (RAX, RBX, RCX, RDI, R8-R15) are zero,
// as the VMM's KVM_SET_REGS passes them. A vCPU the VMM leaves at KVM's own reset state is NOT
// covered: KVM's reset differs from reset_vcpu_state() (see snp_vmsa.cpp).
[[nodiscard]] SnpVmsaPage snp_vmsa_page(const VcpuLaunchState& state, uint64_t vmsa_features);

}  // namespace cw::tee::snp
