#include "tee/snp/snp_boot_data.h"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <vector>

namespace cw::tee::snp {
namespace {

uint32_t u32_at(const SnpPage& p, size_t off) {
    uint32_t v;
    std::memcpy(&v, p.data() + off, sizeof v);
    return v;
}
uint64_t u64_at(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

CpuidLeaf leaf(uint32_t function, uint32_t index, bool significant, uint32_t eax, uint32_t ebx = 0) {
    return CpuidLeaf{function, index, significant, eax, ebx, 0x33, 0x44};
}

TEST_CASE("snp_cpuid_page: the kernel's table layout, the three CPUID ranges, XSAVE leaves at XCR0 = 1") {
    std::vector<CpuidLeaf> leaves = {
        leaf(0x0, 0, false, 0x10, 0x68747541),
        leaf(0x40000000, 0, false, 0x40000001),  // KVM's signature: the guest asks the table
        leaf(0x50000000, 0, false, 0x1),         // outside every range: left out
        leaf(0x7, 0, true, 0x1, 0x219c07ab),
        leaf(0xD, 0, true, 0x7, 0x988),  // enabled-state size for XCR0 = 7: replaced
        leaf(0xD, 1, true, 0xf, 0x988),
        leaf(0xD, 2, true, 0x100, 0x240),  // a component's own size and offset: kept
        leaf(0x80000008, 5, false, 0x3030),  // index not significant: ecx_in 0
    };
    auto page = snp_cpuid_page(leaves);
    REQUIRE(page.ok());
    const SnpPage& p = page.value();
    CHECK(u32_at(p, 0) == 7);  // count
    SnpCpuidTable t;
    std::memcpy(&t, p.data(), sizeof t);
    CHECK(t.fn[0].eax_in == 0x0);
    CHECK(t.fn[0].ebx == 0x68747541);
    CHECK(t.fn[0].ecx == 0x33);
    CHECK(t.fn[0].edx == 0x44);
    CHECK(t.fn[1].eax_in == 0x40000000);
    CHECK(t.fn[1].eax == 0x40000001);
    CHECK(t.fn[2].eax_in == 0x7);
    CHECK(t.fn[2].xcr0_in == 0);
    CHECK(t.fn[3].eax_in == 0xD);
    CHECK(t.fn[3].ecx_in == 0);
    CHECK(t.fn[3].xcr0_in == 1);
    CHECK(t.fn[3].ebx == 0x240);
    CHECK(t.fn[3].eax == 0x7);
    CHECK(t.fn[4].ecx_in == 1);
    CHECK(t.fn[4].xcr0_in == 1);
    CHECK(t.fn[4].ebx == 0x240);
    CHECK(t.fn[5].ecx_in == 2);
    CHECK(t.fn[5].xcr0_in == 0);
    CHECK(t.fn[5].eax == 0x100);
    CHECK(t.fn[6].eax_in == 0x80000008);
    CHECK(t.fn[6].ecx_in == 0);
    // Entry 1's eax_in sits at 16 + 48: the kernel's offsets, not the compiler's choice.
    CHECK(u32_at(p, 16 + 48) == 0x40000000);
    for (size_t i = sizeof(SnpCpuidTable) - 48 * (kSnpCpuidMaxFunctions - 7); i < p.size(); ++i)
        REQUIRE(p[i] == 0);
}

TEST_CASE("snp_cpuid_page: 64 validated entries fit, 65 are refused naming the count") {
    std::vector<CpuidLeaf> leaves;
    for (uint32_t i = 0; i < 64; ++i)
        leaves.push_back(leaf(0x80000000 + i, 0, false, i));
    for (uint32_t i = 0; i < 8; ++i)
        leaves.push_back(leaf(0xC0000000 + i, 0, false, i));  // outside the ranges: not counted
    auto ok = snp_cpuid_page(leaves);
    REQUIRE(ok.ok());
    CHECK(u32_at(ok.value(), 0) == 64);
    leaves.push_back(leaf(0x1, 0, false, 1));
    auto bad = snp_cpuid_page(leaves);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().to_string() ==
          "SNP CPUID page: 65 CPUID entries in the standard, hypervisor and extended ranges, the page holds at "
          "most 64");
}

TEST_CASE("snp_cpuid_differences: names what the firmware changed") {
    std::vector<CpuidLeaf> leaves = {leaf(0x1, 0, false, 0xa20f10, 0x800), leaf(0x7, 0, true, 0, 0x219c07ab)};
    SnpPage sent = snp_cpuid_page(leaves).value();
    CHECK(snp_cpuid_differences(sent, sent).empty());

    SnpPage returned = sent;
    SnpCpuidTable t;
    std::memcpy(&t, returned.data(), sizeof t);
    t.fn[1].ebx = 0x209c01ab;
    std::memcpy(returned.data(), &t, sizeof t);
    CHECK(snp_cpuid_differences(sent, returned) == "0x7.0 ebx 0x219c07ab -> 0x209c01ab");

    t.count = 1;
    std::memcpy(returned.data(), &t, sizeof t);
    CHECK(snp_cpuid_differences(sent, returned) == "count 2 -> 1");

    t.count = 0xFFFFFFFF;  // a hostile count is clamped, not trusted
    std::memcpy(returned.data(), &t, sizeof t);
    CHECK(snp_cpuid_differences(sent, returned).find("count 2 -> 64") == 0);
}

TEST_CASE("cc_blob: cc_blob_sev_info naming the secrets and CPUID pages") {
    CcBlobSevInfo blob = cc_blob(0x9000, 0xA000);
    std::array<uint8_t, sizeof blob> d;
    std::memcpy(d.data(), &blob, sizeof blob);
    CHECK(std::memcmp(d.data(), "AMDE", 4) == 0);  // the magic as the kernel compares it
    CHECK(d[4] == 1);                              // version 1 (little-endian u16)
    CHECK(d[5] == 0);
    CHECK(u64_at(d.data() + 8) == 0x9000);   // secrets_phys
    CHECK(u64_at(d.data() + 16) == 0x1000);  // secrets_len (u32) + rsvd1 (u32) = 4096, 0
    CHECK(u64_at(d.data() + 24) == 0xA000);  // cpuid_phys
    CHECK(u64_at(d.data() + 32) == 0x1000);  // cpuid_len + rsvd2
}

TEST_CASE("cc_blob_setup_data: a SETUP_CC_BLOB element pointing at the blob (struct cc_setup_data)") {
    auto r = cc_blob_setup_data(0x6000, 0x12345000);
    REQUIRE(r.ok());
    std::array<uint8_t, sizeof(CcSetupData)> d;
    std::memcpy(d.data(), &r.value(), d.size());
    CHECK(u64_at(d.data()) == 0x12345000);  // next
    uint32_t type, len, address;
    std::memcpy(&type, d.data() + 8, 4);
    std::memcpy(&len, d.data() + 12, 4);
    std::memcpy(&address, d.data() + 16, 4);
    CHECK(type == 7);
    CHECK(len == 4);
    CHECK(address == 0x6000);
    auto high = cc_blob_setup_data(0x100000000);
    REQUIRE_FALSE(high.ok());
    CHECK(high.error().to_string() == "SNP CC blob at 0x100000000: setup_data can only point below 4 GiB");
}

}  // namespace
}  // namespace cw::tee::snp
