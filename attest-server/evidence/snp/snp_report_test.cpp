// Parsing the 1184-byte report: the three real reports, and one test per rejection path.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "evidence/snp/snp_report.h"
#include "evidence/snp/snp_test_support.h"
#include "evidence/x509/digest.h"

namespace cw::attest {
namespace {

using testing::vector_bytes;

std::vector<uint8_t> with_u32(std::vector<uint8_t> bytes, size_t offset, uint32_t value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
    return bytes;
}

std::vector<uint8_t> with_byte(std::vector<uint8_t> bytes, size_t offset, uint8_t value) {
    bytes[offset] = value;
    return bytes;
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
    auto r = parse_snp_report(bytes);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
}

TEST_CASE("go-sev-guest attestation.bin: version 2, DEBUG policy, Milan TCB") {
    auto r = parse_snp_report(vector_bytes(testing::kGsgReport));
    REQUIRE_MESSAGE(r.ok(), r.error().message());
    CHECK(r->wire.version == 2);
    CHECK(r->policy.raw == 0xB0000);
    CHECK(r->policy.debug);
    CHECK(r->policy.smt);
    CHECK_FALSE(r->policy.migrate_ma);
    CHECK(r->wire.vmpl == 0);
    CHECK(r->signing_key == SnpSigningKey::Vcek);
    CHECK(r->cpuid_product == SnpProduct::Unknown);  // version 2 carries no CPUID
    CHECK(r->wire.reported_tcb == 0x4405000000000002);
    CHECK(r->wire.current_major == 1);
    CHECK(r->wire.current_minor == 49);
    CHECK(r->wire.current_build == 3);
    CHECK(to_hex_lower(std::span(r->wire.report_data).first(6)) == "010203040500");
    CHECK(to_hex_lower(std::span(r->wire.measurement).first(4)) == "b07af962");
}

TEST_CASE("trustee test-report.bin: ID block, CURRENT_TCB differs from REPORTED_TCB") {
    auto r = parse_snp_report(vector_bytes(testing::kTrusteeReport));
    REQUIRE_MESSAGE(r.ok(), r.error().message());
    CHECK(r->wire.guest_svn == 4);
    CHECK(r->policy.abi_major == 0);
    CHECK(r->policy.abi_minor == 31);
    CHECK_FALSE(r->policy.debug);
    CHECK(r->wire.current_tcb == 0xCE08000000000003);
    CHECK(r->wire.reported_tcb == 0x7308000000000003);
    CHECK(r->wire.family_id[0] == 1);
    CHECK(r->wire.image_id[0] == 2);
}

TEST_CASE("trustee test-vlek-report.bin: version 3, Milan CPUID, VLEK, VMPL 1, zero CHIP_ID") {
    auto r = parse_snp_report(vector_bytes(testing::kVlekReport));
    REQUIRE_MESSAGE(r.ok(), r.error().message());
    CHECK(r->wire.version == 3);
    CHECK(r->cpuid_product == SnpProduct::Milan);
    CHECK(r->wire.cpuid_step == 1);
    CHECK(r->signing_key == SnpSigningKey::Vlek);
    CHECK(r->wire.vmpl == 1);
    CHECK(r->wire.platform_info == 0x27);
    CHECK(std::all_of(r->wire.chip_id.begin(), r->wire.chip_id.end(), [](uint8_t b) { return b == 0; }));
}

TEST_CASE("wrong sizes are rejected") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(std::vector<uint8_t>(bytes.begin(), bytes.end() - 1)).find("1183 bytes") != std::string::npos);
    bytes.push_back(0);
    CHECK_FALSE(parse_snp_report(bytes).ok());
    CHECK_FALSE(parse_snp_report({}).ok());
}

TEST_CASE("unknown versions are rejected") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(with_u32(bytes, 0x000, 1)).find("VERSION 1") != std::string::npos);
    CHECK(parse_error(with_u32(bytes, 0x000, 6)).find("VERSION 6") != std::string::npos);
}

TEST_CASE("a signature algorithm other than 1 is rejected") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(with_u32(bytes, 0x034, 0)).find("SIGNATURE_ALGO 0") != std::string::npos);
    CHECK(parse_error(with_u32(bytes, 0x034, 2)).find("SIGNATURE_ALGO 2") != std::string::npos);
}

TEST_CASE("POLICY: reserved bit 17 must be 1, bits 63:26 must be 0") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(with_byte(bytes, 0x00A, 0x01)).find("bit 17") != std::string::npos);
    CHECK(parse_error(with_byte(bytes, 0x00B, 0x04)).find("63:26") != std::string::npos);
}

TEST_CASE("KEY_INFO: reserved signing keys and reserved bits are rejected") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(with_u32(bytes, 0x048, 2u << 2)).find("SIGNING_KEY 2") != std::string::npos);
    CHECK(parse_error(with_u32(bytes, 0x048, 1u << 5)).find("31:5") != std::string::npos);
    auto none = parse_snp_report(with_u32(bytes, 0x048, 7u << 2));
    REQUIRE(none.ok());
    CHECK(none->signing_key == SnpSigningKey::None);
}

TEST_CASE("reserved ranges must be zero, per version") {
    auto v2 = vector_bytes(testing::kTrusteeReport);
    CHECK(parse_error(with_byte(v2, 0x04C, 1)).find("0x04C") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x188, 0x19)).find("CPUID (version 2)") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x19F, 1)).find("0x19F") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x1EB, 1)).find("0x1EB") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x1EF, 1)).find("0x1EF") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x1F8, 1)).find("mitigation vectors") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x29F, 1)).find("0x29F") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x2A0 + 48, 1)).find("SIGNATURE.R") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x2E8 + 71, 1)).find("SIGNATURE.S") != std::string::npos);
    CHECK(parse_error(with_byte(v2, 0x49F, 1)).find("after signature") != std::string::npos);

    // Version 5 defines the mitigation vectors; 0x208 onwards stays reserved.
    auto v5 = with_u32(v2, 0x000, 5);
    CHECK(parse_snp_report(with_byte(v5, 0x1F8, 1)).ok());
    CHECK(parse_snp_report(with_byte(v5, 0x200, 1)).ok());
    CHECK_FALSE(parse_snp_report(with_byte(v5, 0x208, 1)).ok());
    // Version 3 defines CPUID bytes 0x188-0x18A, not 0x18B.
    auto v3 = with_u32(v2, 0x000, 3);
    CHECK(parse_snp_report(with_byte(v3, 0x188, 0x19)).ok());
    CHECK_FALSE(parse_snp_report(with_byte(v3, 0x18B, 1)).ok());
}

TEST_CASE("signed_bytes is the first 0x2A0 bytes of the input") {
    auto bytes = vector_bytes(testing::kGsgReport);
    auto r = parse_snp_report(bytes);
    REQUIRE(r.ok());
    CHECK(std::equal(r->signed_bytes().begin(), r->signed_bytes().end(), bytes.begin()));
}

}  // namespace
}  // namespace cw::attest
