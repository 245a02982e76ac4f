#include "tee/snp/snp_vmsa.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace cw::tee::snp {
namespace {

// The expected pages below are written byte by byte at fixed offsets, not through
// SevEsSaveArea, so a wrong field in the struct shows up as a mismatch.
constexpr size_t kEs = 0x00, kCs = 0x10, kSs = 0x20, kDs = 0x30, kFs = 0x40, kGs = 0x50;
constexpr size_t kGdtr = 0x60, kLdtr = 0x70, kIdtr = 0x80, kTr = 0x90;
constexpr size_t kCpl = 0xcb, kEfer = 0xd0, kCr4 = 0x148, kCr3 = 0x150, kCr0 = 0x158;
constexpr size_t kDr7 = 0x160, kDr6 = 0x168, kRflags = 0x170, kRip = 0x178, kRsp = 0x1d8;
constexpr size_t kGPat = 0x268, kRdx = 0x310, kRbp = 0x328, kRsi = 0x330;
constexpr size_t kSevFeatures = 0x3b0, kXcr0 = 0x3e8, kMxcsr = 0x408, kFcw = 0x410;

static_assert(offsetof(SevEsSaveArea, tr) == kTr && offsetof(SevEsSaveArea, cr3) == kCr3);
static_assert(offsetof(SevEsSaveArea, dr6) == kDr6 && offsetof(SevEsSaveArea, rbp) == kRbp);

constexpr uint64_t kPatDefault = 0x0007040600070406;

void put(SnpVmsaPage& page, size_t offset, uint64_t value, size_t size = 8) {
    for (size_t i = 0; i < size; ++i)
        page[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

void put_segment(SnpVmsaPage& page, size_t offset, uint16_t selector, uint16_t attrib, uint32_t limit,
                 uint64_t base) {
    put(page, offset, selector, 2);
    put(page, offset + 2, attrib, 2);
    put(page, offset + 4, limit, 4);
    put(page, offset + 8, base);
}

uint64_t get(const SnpVmsaPage& page, size_t offset, size_t size = 8) {
    uint64_t value = 0;
    for (size_t i = size; i-- > 0;)
        value = (value << 8) | page[offset + i];
    return value;
}

// The first offset at which two pages differ, or the page size: one number in a failure.
size_t first_difference(const SnpVmsaPage& a, const SnpVmsaPage& b) {
    return static_cast<size_t>(std::mismatch(a.begin(), a.end(), b.begin()).first - a.begin());
}

VcpuSegment segment(uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base = 0) {
    return {base, limit, selector, attrib};
}

// QEMU's x86_cpu_reset() state as KVM_SET_SREGS/KVM_SET_REGS carry it: CS:IP from `eip` (the
// reset vector for the boot vCPU, the firmware's AP reset block for the others), RDX the vCPU
// signature CPUID(1).EAX (attestation-facts.md 2.3; sev-snp-measure vmsa.py).
VcpuLaunchState qemu_reset_state(uint32_t eip, uint64_t rdx) {
    VcpuLaunchState s;
    s.es = s.ss = s.ds = s.fs = s.gs = segment(0, 0x93, 0xffff);
    s.cs = segment(0xf000, 0x9b, 0xffff, eip & 0xffff0000u);
    s.gdtr = s.idtr = segment(0, 0, 0xffff);
    s.ldtr = segment(0, 0x82, 0xffff);
    s.tr = segment(0, 0x8b, 0xffff);
    s.rip = eip & 0xffffu;
    s.rflags = 0x2;
    s.rdx = rdx;
    s.cr0 = 0x60000010;  // ET, CD, NW
    return s;
}

// The VMSA the virtee/sev crate builds for QEMU (src/measurement/vmsa.rs build_save_area(),
// VMMType::QEMU): sev-snp-measure's vmsa.py plus the MXCSR and FCW that SNP VMs carry.
SnpVmsaPage qemu_expected_page(uint32_t eip, uint64_t rdx, uint64_t sev_features) {
    SnpVmsaPage p{};
    for (size_t off : {kEs, kSs, kDs, kFs, kGs})
        put_segment(p, off, 0, 0x93, 0xffff, 0);
    put_segment(p, kCs, 0xf000, 0x9b, 0xffff, eip & 0xffff0000u);
    put_segment(p, kGdtr, 0, 0, 0xffff, 0);
    put_segment(p, kIdtr, 0, 0, 0xffff, 0);
    put_segment(p, kLdtr, 0, 0x82, 0xffff, 0);
    put_segment(p, kTr, 0, 0x8b, 0xffff, 0);
    put(p, kEfer, 0x1000);
    put(p, kCr4, 0x40);
    put(p, kCr0, 0x10);
    put(p, kDr7, 0x400);
    put(p, kDr6, 0xffff0ff0);
    put(p, kRflags, 0x2);
    put(p, kRip, eip & 0xffffu);
    put(p, kGPat, kPatDefault);
    put(p, kRdx, rdx);
    put(p, kSevFeatures, sev_features);
    put(p, kXcr0, 1);
    put(p, kMxcsr, 0x1f80, 4);
    put(p, kFcw, 0x37f, 2);
    return p;
}

// Parses `hd` output: "OFFSET  xx xx .. xx  |ascii|" lines, "*" (the line above repeats up to
// the next offset) and the closing offset on its own.
SnpVmsaPage page_from_hexdump(std::string_view dump) {
    SnpVmsaPage page{};
    std::array<uint8_t, 16> line_bytes{};
    size_t next = 0;
    bool repeat = false;
    while (!dump.empty()) {
        size_t eol = dump.find('\n');
        std::string_view line = dump.substr(0, eol);
        dump = eol == std::string_view::npos ? std::string_view{} : dump.substr(eol + 1);
        line = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
        if (line.empty())
            continue;
        if (line == "*") {
            repeat = true;
            continue;
        }
        line = line.substr(0, line.find('|'));
        const char* p = line.data();
        const char* end = line.data() + line.size();
        size_t offset = 0;
        p = std::from_chars(p, end, offset, 16).ptr;
        for (; repeat && next < offset; next += 16)
            std::copy(line_bytes.begin(), line_bytes.end(), page.begin() + static_cast<std::ptrdiff_t>(next));
        repeat = false;
        size_t count = 0;
        while (count < line_bytes.size()) {
            while (p < end && *p == ' ')
                ++p;
            if (p == end)
                break;
            p = std::from_chars(p, end, line_bytes[count++], 16).ptr;
        }
        const size_t at = std::min(offset, page.size() - count);
        std::copy_n(line_bytes.begin(), count, page.begin() + static_cast<std::ptrdiff_t>(at));
        next = offset + 16;
    }
    return page;
}

// Two VMSAs KVM produced, dumped from the host kernel by Dov Murik (qemu-devel, 16 Dec 2021,
// "Re: [PATCH] docs: Add measurement calculation details to amd-memory-encryption.txt",
// Message-ID <336cbad3-06da-f11c-8cd1-ca058dd9c6b0@linux.ibm.com>): a 2-vCPU QEMU SEV-ES
// guest with OVMF, the AP starting at the firmware's reset block 0x80b000.
constexpr std::string_view kKvmVmsaCpu0 = R"(
00000000  00 00 93 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000010  00 f0 9b 00 ff ff 00 00  00 00 ff ff 00 00 00 00  |................|
00000020  00 00 93 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
*
00000060  00 00 00 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000070  00 00 82 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000080  00 00 00 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000090  00 00 8b 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
000000a0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
000000d0  00 10 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
000000e0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000140  00 00 00 00 00 00 00 00  40 00 00 00 00 00 00 00  |........@.......|
00000150  00 00 00 00 00 00 00 00  10 00 00 00 00 00 00 00  |................|
00000160  00 04 00 00 00 00 00 00  f0 0f ff ff 00 00 00 00  |................|
00000170  02 00 00 00 00 00 00 00  f0 ff 00 00 00 00 00 00  |................|
00000180  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000260  00 00 00 00 00 00 00 00  06 04 07 00 06 04 07 00  |................|
00000270  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000310  10 0f 83 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000320  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
000003e0  00 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  |................|
000003f0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00001000
)";

constexpr std::string_view kKvmVmsaCpu1 = R"(
00000000  00 00 93 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000010  00 f0 9b 00 ff ff 00 00  00 00 80 00 00 00 00 00  |................|
00000020  00 00 93 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
*
00000060  00 00 00 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000070  00 00 82 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000080  00 00 00 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
00000090  00 00 8b 00 ff ff 00 00  00 00 00 00 00 00 00 00  |................|
000000a0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
000000d0  00 10 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
000000e0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000140  00 00 00 00 00 00 00 00  40 00 00 00 00 00 00 00  |........@.......|
00000150  00 00 00 00 00 00 00 00  10 00 00 00 00 00 00 00  |................|
00000160  00 04 00 00 00 00 00 00  f0 0f ff ff 00 00 00 00  |................|
00000170  02 00 00 00 00 00 00 00  00 b0 00 00 00 00 00 00  |................|
00000180  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000260  00 00 00 00 00 00 00 00  06 04 07 00 06 04 07 00  |................|
00000270  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000310  10 0f 83 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000320  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
000003e0  00 00 00 00 00 00 00 00  01 00 00 00 00 00 00 00  |................|
000003f0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00001000
)";
constexpr uint64_t kDumpVcpuSignature = 0x830f10;  // RDX in both dumps

// The dumps' guest was SEV-ES (KVM_SEV_ES_INIT): SEV_FEATURES 0 and no FPU state in the
// VMSA. An SNP VM's page differs in exactly these three fields (sev_es_sync_vmsa()).
SnpVmsaPage with_snp_additions(SnpVmsaPage page) {
    put(page, kSevFeatures, kSevFeatureSnpActive);
    put(page, kMxcsr, 0x1f80, 4);
    put(page, kFcw, 0x37f, 2);
    return page;
}

// The boot vCPU as our VMM sets it up for a 64-bit kernel entry (vmm/arch/x86_64/gdt.cpp):
// flat 64-bit CS 0x10, data segments 0x18, a busy 64-bit TSS, paging on with CR3 at the PML4.
// LDTR is KVM's reset LDTR, which KVM_GET_SREGS hands back and KVM_SET_SREGS re-applies.
VcpuLaunchState long_mode_state() {
    VcpuLaunchState s;
    s.cs = segment(0x10, 0xa9b, 0xffffffff);  // G, L, P, S, execute/read accessed
    s.ds = s.es = s.fs = s.gs = s.ss = segment(0x18, 0xc93, 0xffffffff);  // G, D/B, P, S, read/write accessed
    s.tr = segment(0x20, 0x8b, 0x67);
    s.ldtr = segment(0, 0x82, 0xffff);
    s.gdtr = segment(0, 0, 0x2f, 0x500);
    s.idtr = segment(0, 0, 0xf, 0x530);
    s.cr0 = 0x80000011;  // PG, ET, PE
    s.cr3 = 0x9000;
    s.cr4 = 0x20;        // PAE
    s.efer = 0x500;      // LMA, LME
    s.rip = 0x1000000;
    s.rsp = s.rbp = 0x8ff0;
    s.rsi = 0x7000;
    s.rflags = 0x2;
    return s;
}

TEST_CASE("SevEsSaveArea: the kernel's size and the offsets of the fields the page carries") {
    CHECK(sizeof(SevEsSaveArea) == 1648);
    CHECK(offsetof(SevEsSaveArea, sev_features) == 0x3b0);
    CHECK(offsetof(SevEsSaveArea, fpreg_ymm) + sizeof(SevEsSaveArea::fpreg_ymm) == 0x670);
}

TEST_CASE("snp_vmsa_page: QEMU's reset state gives the VMSA the sev crate computes for QEMU") {
    const uint64_t epyc_v4 = 0x800f12;
    const uint64_t debug_swap = 0x20;
    const SnpVmsaPage page = snp_vmsa_page(qemu_reset_state(0xfffffff0, epyc_v4), debug_swap);

    CHECK(get(page, kCs, 2) == 0xf000);
    CHECK(get(page, kCs + 8) == 0xffff0000);
    CHECK(get(page, kRip) == 0xfff0);
    CHECK(get(page, kEfer) == 0x1000);     // EFER.SVME, from svm_set_efer()
    CHECK(get(page, kCr4) == 0x40);        // CR4.MCE, from the host
    CHECK(get(page, kCr0) == 0x10);        // 0x60000010 without CD and NW
    CHECK(get(page, kDr7) == 0x400);
    CHECK(get(page, kDr6) == 0xffff0ff0);
    CHECK(get(page, kGPat) == kPatDefault);
    CHECK(get(page, kXcr0) == 1);
    CHECK(get(page, kMxcsr, 4) == 0x1f80);
    CHECK(get(page, kFcw, 2) == 0x37f);
    CHECK(get(page, kSevFeatures) == (debug_swap | kSevFeatureSnpActive));
    CHECK(first_difference(page, qemu_expected_page(0xfffffff0, epyc_v4, 0x21)) == page.size());
}

TEST_CASE("snp_vmsa_page: byte for byte the VMSAs KVM dumped for QEMU's two vCPUs, plus SNP's three fields") {
    SUBCASE("boot vCPU at the reset vector") {
        const SnpVmsaPage page = snp_vmsa_page(qemu_reset_state(0xfffffff0, kDumpVcpuSignature), 0);
        CHECK(first_difference(page, with_snp_additions(page_from_hexdump(kKvmVmsaCpu0))) == page.size());
    }
    SUBCASE("AP at OVMF's SEV-ES reset block") {
        const SnpVmsaPage page = snp_vmsa_page(qemu_reset_state(0x80b000, kDumpVcpuSignature), 0);
        CHECK(first_difference(page, with_snp_additions(page_from_hexdump(kKvmVmsaCpu1))) == page.size());
    }
}

TEST_CASE("snp_vmsa_page: a 64-bit boot state lands at the VMSA's offsets, everything else zero") {
    const SnpVmsaPage page = snp_vmsa_page(long_mode_state(), 0);

    SnpVmsaPage expected{};
    put_segment(expected, kCs, 0x10, 0xa9b, 0xffffffff, 0);
    for (size_t off : {kEs, kSs, kDs, kFs, kGs})
        put_segment(expected, off, 0x18, 0xc93, 0xffffffff, 0);
    put_segment(expected, kTr, 0x20, 0x8b, 0x67, 0);
    put_segment(expected, kLdtr, 0, 0x82, 0xffff, 0);
    put_segment(expected, kGdtr, 0, 0, 0x2f, 0x500);
    put_segment(expected, kIdtr, 0, 0, 0xf, 0x530);
    put(expected, kEfer, 0x1500);      // LMA, SVME, LME
    put(expected, kCr4, 0x60);         // MCE, PAE
    put(expected, kCr3, 0x9000);
    put(expected, kCr0, 0x80000011);
    put(expected, kDr7, 0x400);
    put(expected, kDr6, 0xffff0ff0);
    put(expected, kRflags, 0x2);
    put(expected, kRip, 0x1000000);
    put(expected, kRsp, 0x8ff0);
    put(expected, kGPat, kPatDefault);
    put(expected, kRbp, 0x8ff0);
    put(expected, kRsi, 0x7000);
    put(expected, kSevFeatures, kSevFeatureSnpActive);
    put(expected, kXcr0, 1);
    put(expected, kMxcsr, 0x1f80, 4);
    put(expected, kFcw, 0x37f, 2);

    CHECK(get(page, kCpl, 1) == 0);
    CHECK(first_difference(page, expected) == page.size());
    CHECK(std::all_of(page.begin() + sizeof(SevEsSaveArea), page.end(), [](uint8_t b) { return b == 0; }));
}

TEST_CASE("snp_vmsa_page: the CPL is SS.DPL") {
    VcpuLaunchState s = long_mode_state();
    s.ss.attrib = 0xcf3;  // DPL 3
    CHECK(get(snp_vmsa_page(s, 0), kCpl, 1) == 3);
}

TEST_CASE("snp_vmsa_page: what KVM_SET_SREGS cannot carry never reaches the page") {
    VcpuLaunchState s = long_mode_state();
    s.cs.attrib = 0xfa9b;                          // bits 15:12 have no kvm_segment field
    s.gdtr = segment(0x1234, 0x9b, 0x1002f, 0x500);  // kvm_dtable: base and a 16-bit limit only
    const SnpVmsaPage page = snp_vmsa_page(s, 0);
    CHECK(get(page, kCs + 2, 2) == 0xa9b);
    CHECK(get(page, kGdtr, 2) == 0);
    CHECK(get(page, kGdtr + 2, 2) == 0);
    CHECK(get(page, kGdtr + 4, 4) == 0x2f);
    CHECK(get(page, kGdtr + 8) == 0x500);
}

TEST_CASE("snp_vmsa_page: deterministic, and vmsa_features changes SEV_FEATURES alone") {
    const VcpuLaunchState s = long_mode_state();
    const SnpVmsaPage a = snp_vmsa_page(s, 0);
    CHECK(first_difference(a, snp_vmsa_page(s, 0)) == a.size());

    SnpVmsaPage b = snp_vmsa_page(s, 0x20);
    CHECK(get(b, kSevFeatures) == 0x21);
    put(b, kSevFeatures, kSevFeatureSnpActive);
    CHECK(first_difference(a, b) == a.size());
}

}  // namespace
}  // namespace cw::tee::snp
