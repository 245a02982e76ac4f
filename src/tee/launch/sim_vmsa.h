// The sim launch's stand-in for a VMSA: one 4 KiB page per vCPU holding a deterministic
// serialisation of the vCPU's initial register state, measured as a VMSA-type page after
// the NORMAL pages (docs/measurement.md). The layout follows the order of the SVM save area
// (segments as selector/attrib/limit/base, then EFER, CR4, CR3, CR0, RFLAGS, RIP, RSP) but it
// is NOT the hardware VMSA: a real SNP launch measures the VMSA KVM builds, a different page.
//
// The boot vCPU carries the 64-bit entry state the VMM sets (boot.rst "64-bit BOOT
// PROTOCOL"); application processors carry the architectural INIT/reset state (Intel SDM
// vol. 3A, table 10-1), which is what they have until the boot vCPU sends INIT/SIPI.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cw::tee {

struct VcpuSegment {
    uint64_t base = 0;
    uint32_t limit = 0;  // in bytes (already scaled by G)
    uint16_t selector = 0;
    // SVM attribute packing: type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11.
    uint16_t attrib = 0;
    friend bool operator==(const VcpuSegment&, const VcpuSegment&) = default;
};

// What the VMM puts into a vCPU before it first runs (or what the architecture puts there).
struct VcpuLaunchState {
    uint64_t rip = 0, rsp = 0, rbp = 0, rsi = 0, rdx = 0, rflags = 0;
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    VcpuSegment cs, ds, es, fs, gs, ss, tr, ldtr;
    VcpuSegment gdtr, idtr;  // base and limit only
    friend bool operator==(const VcpuLaunchState&, const VcpuLaunchState&) = default;
};

// The INIT/reset state of an application processor (SDM vol. 3A table 10-1). EDX (the
// processor signature after reset) is left 0: it depends on the host CPU, and the sim
// measurement must not.
[[nodiscard]] VcpuLaunchState reset_vcpu_state();

// The serialised page, wire layout below; the rest of the 4 KiB page is zero.
inline constexpr char kSimVmsaMagic[16] = "CW-SIM-VMSA-v2";
inline constexpr uint32_t kSimVmsaVersion = 2;  // 2: the boot vCPU records KVM's reset LDTR

struct SimVmsaSegmentWire {
    uint16_t selector;  // 0x0
    uint16_t attrib;    // 0x2
    uint32_t limit;     // 0x4
    uint64_t base;      // 0x8
};
static_assert(sizeof(SimVmsaSegmentWire) == 16);

struct SimVmsaWire {
    char magic[16];          // 0x000: kSimVmsaMagic, NUL-padded
    uint32_t version;        // 0x010: kSimVmsaVersion
    uint32_t vcpu_index;     // 0x014: the vCPU's index (LAPIC ID), 0 = boot vCPU
    uint64_t reserved;       // 0x018: 0
    SimVmsaSegmentWire es;   // 0x020
    SimVmsaSegmentWire cs;   // 0x030
    SimVmsaSegmentWire ss;   // 0x040
    SimVmsaSegmentWire ds;   // 0x050
    SimVmsaSegmentWire fs;   // 0x060
    SimVmsaSegmentWire gs;   // 0x070
    SimVmsaSegmentWire gdtr; // 0x080
    SimVmsaSegmentWire ldtr; // 0x090
    SimVmsaSegmentWire idtr; // 0x0a0
    SimVmsaSegmentWire tr;   // 0x0b0
    uint64_t efer;           // 0x0c0
    uint64_t cr4;            // 0x0c8
    uint64_t cr3;            // 0x0d0
    uint64_t cr0;            // 0x0d8
    uint64_t rflags;         // 0x0e0
    uint64_t rip;            // 0x0e8
    uint64_t rsp;            // 0x0f0
    uint64_t rbp;            // 0x0f8
    uint64_t rsi;            // 0x100
    uint64_t rdx;            // 0x108
};
static_assert(std::endian::native == std::endian::little, "the sim VMSA is serialised as little-endian bytes");
static_assert(sizeof(SimVmsaWire) == 0x110);
static_assert(std::is_standard_layout_v<SimVmsaWire> && std::has_unique_object_representations_v<SimVmsaWire>);
static_assert(offsetof(SimVmsaWire, es) == 0x20 && offsetof(SimVmsaWire, tr) == 0xb0);
static_assert(offsetof(SimVmsaWire, efer) == 0xc0 && offsetof(SimVmsaWire, rdx) == 0x108);

using SimVmsaPage = std::array<uint8_t, 0x1000>;

[[nodiscard]] SimVmsaPage serialize_sim_vmsa(const VcpuLaunchState& state, uint32_t vcpu_index);

}  // namespace cw::tee
