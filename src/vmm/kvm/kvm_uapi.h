// The one include of <linux/kvm.h> for the kvm/ layer, with the ABI checked at compile time.
//
// Debian 12's linux-libc-dev (6.1.x) declares the flexible arrays of kvm_cpuid2, kvm_msrs,
// kvm_msr_list, ... through __DECLARE_FLEX_ARRAY, whose empty wrapper struct is 0 bytes in
// C but 1 byte in C++. In C++ that grows kvm_cpuid2 from 8 to 12 bytes and changes the
// ioctl numbers that encode the size, so KVM answers EINVAL. Upstream fixed the macro for
// C++ in Linux 6.5 ("uapi: stddef.h: Fix __DECLARE_FLEX_ARRAY for C++"); we apply the same
// definition before the KVM headers use it.
#pragma once
// Treated as a system header: the zero-length arrays below are the kernel ABI, not our code.
#pragma GCC system_header

#include <linux/stddef.h>

#ifdef __DECLARE_FLEX_ARRAY
#undef __DECLARE_FLEX_ARRAY
#endif
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) TYPE NAME[0]

#include <linux/kvm.h>

static_assert(sizeof(kvm_cpuid2) == 8, "kvm_cpuid2 must match the kernel ABI (ioctl numbers encode its size)");
static_assert(sizeof(kvm_msrs) == 8, "kvm_msrs must match the kernel ABI");
static_assert(sizeof(kvm_msr_list) == 4, "kvm_msr_list must match the kernel ABI");
static_assert(sizeof(kvm_cpuid_entry2) == 40, "kvm_cpuid_entry2 must match the kernel ABI");
static_assert(sizeof(kvm_irq_routing) == 8, "kvm_irq_routing must match the kernel ABI");
static_assert(KVM_GET_SUPPORTED_CPUID == 0xc008ae05, "KVM_GET_SUPPORTED_CPUID number");
static_assert(KVM_SET_CPUID2 == 0x4008ae90, "KVM_SET_CPUID2 number");
static_assert(KVM_SET_MSRS == 0x4008ae89, "KVM_SET_MSRS number");
