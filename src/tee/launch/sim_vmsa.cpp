#include "tee/launch/sim_vmsa.h"

#include <algorithm>
#include <cstring>

namespace cw::tee {

namespace {

// SVM attribute bits (AMD APM vol. 2, 15.5.1 "VMCB save area": segment attributes).
constexpr uint16_t kAttrS = 1u << 4;
constexpr uint16_t kAttrP = 1u << 7;

constexpr VcpuSegment real_mode_segment(uint16_t selector, uint64_t base, uint16_t type, bool code_or_data) {
    return {base, 0xffff, selector, static_cast<uint16_t>(type | (code_or_data ? kAttrS : 0) | kAttrP)};
}

SimVmsaSegmentWire wire(const VcpuSegment& s) { return {s.selector, s.attrib, s.limit, s.base}; }

}  // namespace

VcpuLaunchState reset_vcpu_state() {
    VcpuLaunchState s;
    s.rip = 0xfff0;
    s.rflags = 0x2;
    s.cr0 = 0x60000010;  // CD, NW, ET
    s.cs = real_mode_segment(0xf000, 0xffff0000, 0xb, true);  // execute/read, accessed
    s.ds = s.es = s.fs = s.gs = s.ss = real_mode_segment(0, 0, 0x3, true);  // read/write, accessed
    s.ldtr = real_mode_segment(0, 0, 0x2, false);                           // LDT
    s.tr = real_mode_segment(0, 0, 0x3, false);                             // busy 16-bit TSS
    s.gdtr = {0, 0xffff, 0, 0};
    s.idtr = {0, 0xffff, 0, 0};
    return s;
}

SimVmsaPage serialize_sim_vmsa(const VcpuLaunchState& state, uint32_t vcpu_index) {
    SimVmsaWire w{};
    std::copy(std::begin(kSimVmsaMagic), std::end(kSimVmsaMagic), w.magic);
    w.version = kSimVmsaVersion;
    w.vcpu_index = vcpu_index;
    w.es = wire(state.es);
    w.cs = wire(state.cs);
    w.ss = wire(state.ss);
    w.ds = wire(state.ds);
    w.fs = wire(state.fs);
    w.gs = wire(state.gs);
    w.gdtr = wire(state.gdtr);
    w.ldtr = wire(state.ldtr);
    w.idtr = wire(state.idtr);
    w.tr = wire(state.tr);
    w.efer = state.efer;
    w.cr4 = state.cr4;
    w.cr3 = state.cr3;
    w.cr0 = state.cr0;
    w.rflags = state.rflags;
    w.rip = state.rip;
    w.rsp = state.rsp;
    w.rbp = state.rbp;
    w.rsi = state.rsi;
    w.rdx = state.rdx;
    SimVmsaPage page{};
    std::memcpy(page.data(), &w, sizeof w);
    return page;
}

}  // namespace cw::tee
