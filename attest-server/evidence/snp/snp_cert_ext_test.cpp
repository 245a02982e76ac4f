// VCEK/VLEK extensions from the real certificates, including both hwID encodings and Turin.
#include <doctest/doctest.h>

#include "evidence/snp/snp_cert_ext.h"
#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_test_support.h"
#include "evidence/x509/digest.h"

namespace cw::attest {
namespace {

using testing::vector_bytes;
using testing::vector_cert;

SnpCertExtensions parse(std::string_view path) {
    X509Ptr cert = vector_cert(path);
    auto ext = parse_snp_cert_extensions(cert.get());
    REQUIRE_MESSAGE(ext.ok(), ext.error().message());
    return std::move(ext).value();
}

std::vector<uint8_t> counting_hwid() {
    std::vector<uint8_t> hwid(64);
    for (size_t i = 0; i < hwid.size(); ++i)
        hwid[i] = static_cast<uint8_t>(i);
    return hwid;
}

TEST_CASE("go-sev-guest VCEK: Milan-B0, SPLs of attestation.bin, hwID == its CHIP_ID") {
    SnpCertExtensions ext = parse(testing::kGsgVcek);
    CHECK(ext.kind == SnpLeafKind::Vcek);
    CHECK(ext.product_name == "Milan-B0");
    CHECK(ext.product == SnpProduct::Milan);
    CHECK(ext.bl_spl == 2);
    CHECK(ext.tee_spl == 0);
    CHECK(ext.snp_spl == 5);
    CHECK(ext.ucode_spl == 0x44);
    CHECK_FALSE(ext.fmc_spl.has_value());
    auto report = parse_snp_report(vector_bytes(testing::kGsgReport));
    REQUIRE(report.ok());
    CHECK(ext.hwid == std::vector<uint8_t>(report->wire.chip_id.begin(), report->wire.chip_id.end()));
    CHECK(ext.csp_id.empty());
}

TEST_CASE("trustee VCEK SPLs are REPORTED_TCB (bl 3, tee 0, snp 8, ucode 0x73)") {
    SnpCertExtensions ext = parse(testing::kTrusteeVcek);
    CHECK(ext.bl_spl == 3);
    CHECK(ext.tee_spl == 0);
    CHECK(ext.snp_spl == 8);
    CHECK(ext.ucode_spl == 0x73);
}

TEST_CASE("VLEK: CSP_ID, no hwID, ucode 0xD9 from the padded INTEGER encoding") {
    SnpCertExtensions ext = parse(testing::kVlek);
    CHECK(ext.kind == SnpLeafKind::Vlek);
    CHECK(ext.product_name == "Milan");
    CHECK(ext.csp_id == "CN=cc-us-east-2.amazonaws.com");
    CHECK(ext.hwid.empty());
    CHECK(ext.bl_spl == 4);
    CHECK(ext.snp_spl == 24);
    CHECK(ext.ucode_spl == 0xD9);
}

TEST_CASE("legacy raw and OCTET STRING-wrapped hwIDs parse to the same 64 bytes") {
    SnpCertExtensions legacy = parse("snp/trustee/test-vcek-invalid-legacy.der");
    SnpCertExtensions wrapped = parse("snp/trustee/test-vcek-invalid-new.der");
    CHECK(legacy.hwid == counting_hwid());
    CHECK(wrapped.hwid == counting_hwid());
}

TEST_CASE("Turin VCEK: 8-byte hwID, FMC SPL, struct version 1") {
    SnpCertExtensions ext = parse(testing::kTurinVcek);
    CHECK(ext.product == SnpProduct::Turin);
    CHECK(ext.struct_version == 1u);
    CHECK(to_hex_lower(ext.hwid) == "1e550a8ee5cf9f4d");
    CHECK(ext.fmc_spl == 0);
    CHECK(ext.bl_spl == 0);
    CHECK(ext.tee_spl == 0);
    CHECK(ext.snp_spl == 0);
    CHECK(ext.ucode_spl == 9);
}

TEST_CASE("an ASK is not a leaf") {
    auto bundle = testing::vector_bundle(testing::kMilanChain);
    auto ext = parse_snp_cert_extensions(bundle[0].get());
    REQUIRE_FALSE(ext.ok());
    CHECK(ext.error().message().find("SEV-Milan") != std::string::npos);
}

TEST_CASE("hwID decoding: raw, wrapped, and every wrong size") {
    std::vector<uint8_t> raw = counting_hwid();
    CHECK(decode_snp_hwid(raw, 64).value() == raw);
    std::vector<uint8_t> wrapped = {0x04, 0x40};
    wrapped.insert(wrapped.end(), raw.begin(), raw.end());
    CHECK(decode_snp_hwid(wrapped, 64).value() == raw);
    wrapped[1] = 0x41;
    CHECK_FALSE(decode_snp_hwid(wrapped, 64).ok());
    CHECK_FALSE(decode_snp_hwid(std::span(raw).first(63), 64).ok());
    CHECK_FALSE(decode_snp_hwid(raw, 8).ok());
    CHECK(decode_snp_hwid(std::span(raw).first(8), 8).ok());
}

}  // namespace
}  // namespace cw::attest
