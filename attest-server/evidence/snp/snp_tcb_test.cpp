// TCB_VERSION byte order per product and the product mappings.
#include <doctest/doctest.h>

#include "evidence/snp/snp_tcb.h"

namespace cw::attest {
namespace {

TEST_CASE("Milan/Genoa TCB: bl byte 0, tee byte 1, snp byte 6, ucode byte 7") {
    auto tcb = decode_snp_tcb(0x4405000000000002, SnpProduct::Milan);
    REQUIRE(tcb.ok());
    CHECK(tcb.value() == SnpTcb{.fmc = 0, .boot_loader = 2, .tee = 0, .snp = 5, .microcode = 0x44});
    CHECK(encode_snp_tcb(tcb.value(), SnpProduct::Genoa).value() == 0x4405000000000002);
}

TEST_CASE("Turin TCB: fmc byte 0, bl 1, tee 2, snp 3, ucode 7") {
    const uint64_t raw = 0x0900000004030201;
    auto tcb = decode_snp_tcb(raw, SnpProduct::Turin);
    REQUIRE(tcb.ok());
    CHECK(tcb.value() == SnpTcb{.fmc = 1, .boot_loader = 2, .tee = 3, .snp = 4, .microcode = 9});
    CHECK(encode_snp_tcb(tcb.value(), SnpProduct::Turin).value() == raw);
    // The same bytes read as Milan give different components: the product matters.
    CHECK(decode_snp_tcb(raw, SnpProduct::Milan).value().boot_loader == 1);
}

TEST_CASE("an unknown product cannot be decoded; FMC cannot be encoded for Milan") {
    CHECK_FALSE(decode_snp_tcb(0, SnpProduct::Unknown).ok());
    CHECK_FALSE(encode_snp_tcb(SnpTcb{.fmc = 1}, SnpProduct::Milan).ok());
}

TEST_CASE("product from CPUID family/model") {
    CHECK(snp_product_from_cpuid(0x19, 0x01) == SnpProduct::Milan);
    CHECK(snp_product_from_cpuid(0x19, 0x11) == SnpProduct::Genoa);
    CHECK(snp_product_from_cpuid(0x19, 0xA0) == SnpProduct::Genoa);
    CHECK(snp_product_from_cpuid(0x1A, 0x02) == SnpProduct::Turin);
    CHECK(snp_product_from_cpuid(0x1A, 0x12) == SnpProduct::Unknown);
    CHECK(snp_product_from_cpuid(0x00, 0x00) == SnpProduct::Unknown);
}

TEST_CASE("product from a certificate product name") {
    CHECK(snp_product_from_cert_name("Milan-B0") == SnpProduct::Milan);
    CHECK(snp_product_from_cert_name("Genoa") == SnpProduct::Genoa);
    CHECK(snp_product_from_cert_name("Turin") == SnpProduct::Turin);
    CHECK(snp_product_from_cert_name("Milanese") == SnpProduct::Unknown);
    CHECK(snp_product_from_cert_name("") == SnpProduct::Unknown);
}

TEST_CASE("minimum TCB is component-wise") {
    const SnpTcb tcb{.boot_loader = 3, .tee = 0, .snp = 8, .microcode = 0x73};
    CHECK(snp_tcb_at_least(tcb, SnpTcb{.boot_loader = 3, .snp = 8, .microcode = 0x73}));
    CHECK(snp_tcb_at_least(tcb, SnpTcb{}));
    CHECK_FALSE(snp_tcb_at_least(tcb, SnpTcb{.snp = 9}));
    CHECK_FALSE(snp_tcb_at_least(tcb, SnpTcb{.microcode = 0x74}));
}

}  // namespace
}  // namespace cw::attest
