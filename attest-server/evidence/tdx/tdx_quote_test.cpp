// TDX quote parsing and the quote's internal links, on the real quotes of shared/vectors.
#include <doctest/doctest.h>

#include <cstring>

#include "evidence/tdx/tdx_quote.h"
#include "evidence/tdx/tdx_quote_crypto.h"
#include "evidence/tdx/tdx_test_support.h"
#include "evidence/x509/digest.h"

namespace cw::attest {
namespace {

using namespace testing;

// v4 absolute offsets (attestation-facts.md 3.1).
constexpr size_t kSigLenV4 = 632;
constexpr size_t kCertTypeV4 = 764;
constexpr size_t kCertSizeV4 = 766;
constexpr size_t kAuthLenV4 = 1218;
constexpr size_t kInnerTypeV4 = 1252;
constexpr size_t kInnerSizeV4 = 1254;

std::vector<uint8_t> with_le(std::vector<uint8_t> bytes, size_t offset, uint32_t value, size_t width) {
    std::memcpy(bytes.data() + offset, &value, width);
    return bytes;
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
    auto quote = parse_tdx_quote(bytes);
    REQUIRE_FALSE(quote.ok());
    return quote.error().message();
}

TEST_CASE("SPR_E4 quote v4 parses by its length fields and reports its 39 trailing text bytes") {
    TdxQuote q = parsed_vector_quote(kSprE4Quote);
    CHECK(q.header.version == 4);
    CHECK(q.body_type == 2);
    CHECK_FALSE(q.body15.has_value());
    CHECK(q.signed_region.size() == 632);
    CHECK(q.quote_size == 4935);
    CHECK(q.trailing_bytes == 39);
    CHECK_FALSE(q.trailing_all_zero);
    CHECK(to_hex_lower(std::span(q.body.mrtd).first(4)) == "6363b804");
    CHECK(to_hex_lower(std::span(q.body.tee_tcb_svn).first(4)) == "03000400");
    CHECK(q.td_attributes() == 0x40000000);
    CHECK_FALSE(q.debug());
    CHECK(q.qe_report.isvsvn == 4);
    CHECK(q.qe_auth_data.size() == 32);
}

TEST_CASE("tdx_quote_4 parses with no trailing bytes and DEBUG set") {
    TdxQuote q = parsed_vector_quote(kQuote4);
    CHECK(q.quote_size == 4936);
    CHECK(q.trailing_bytes == 0);
    CHECK(q.td_attributes() == 0x10000001);
    CHECK(q.debug());
    CHECK(to_hex_lower(std::span(q.body.mrtd).first(4)) == "705ee938");
}

TEST_CASE("tdx_quote_5 is v5 with a TDX 1.5 body whose signed region includes the descriptor") {
    TdxQuote q = parsed_vector_quote(kQuote5);
    CHECK(q.header.version == 5);
    CHECK(q.body_type == 3);
    CHECK(q.signed_region.size() == 702);
    REQUIRE(q.body15.has_value());
    CHECK(to_hex_lower(std::span(q.body15->tee_tcb_svn2).first(4)) == "05010200");
    CHECK(to_hex_lower(std::span(q.body.tee_tcb_svn).first(4)) == "05010200");
    CHECK(q.td_attributes() == 0x10000000);
    CHECK(q.qe_report.isvsvn == 6);
    CHECK(q.quote_size == 5006);
}

TEST_CASE("extracted PCK chains equal the derived PEM files byte for byte") {
    CHECK(parsed_vector_quote(kSprE4Quote).pck_chain_pem ==
          vector_text("tdx/derived/go-tdx-guest_tdx_prod_quote_SPR_E4_pck_chain.pem"));
    CHECK(parsed_vector_quote(kQuote4).pck_chain_pem == vector_text("tdx/derived/trustee_tdx_quote_4_pck_chain.pem"));
    CHECK(parsed_vector_quote(kQuote5).pck_chain_pem == vector_text("tdx/derived/trustee_tdx_quote_5_pck_chain.pem"));
}

TEST_CASE("zero padding after the quote is tolerated and counted") {
    auto bytes = vector_bytes(kQuote4);
    bytes.resize(bytes.size() + 1000, 0);
    auto q = parse_tdx_quote(bytes);
    REQUIRE(q.ok());
    CHECK(q->trailing_bytes == 1000);
    CHECK(q->trailing_all_zero);
}

TEST_CASE("every truncation of a quote is rejected") {
    for (const char* file : {kQuote4, kQuote5}) {
        const auto bytes = vector_bytes(file);
        const size_t end = parse_tdx_quote(bytes)->quote_size;
        for (size_t len = 0; len < end; ++len)
            REQUIRE_FALSE(parse_tdx_quote(std::span(bytes).first(len)).ok());
    }
}

TEST_CASE("truncation errors name the field and the shortfall") {
    auto bytes = vector_bytes(kQuote4);
    CHECK(parse_error({bytes.begin(), bytes.begin() + 10}) == "quote header at offset 0 needs 48 bytes, 10 left");
    CHECK(parse_error({bytes.begin(), bytes.begin() + 700}) ==
          "signature data at offset 636 needs 4300 bytes, 64 left");
}

TEST_CASE("inconsistent length fields are rejected") {
    const auto q = vector_bytes(kQuote4);
    CHECK(parse_error(with_le(q, kSigLenV4, 4301, 4)).find("needs 4301 bytes") != std::string::npos);
    CHECK(parse_error(with_le(q, kSigLenV4, 4299, 4)).find("certification data size 4166 does not match") !=
          std::string::npos);
    CHECK(parse_error(with_le(q, kCertSizeV4, 4165, 4)).find("certification data size 4165") != std::string::npos);
    CHECK(parse_error(with_le(q, kAuthLenV4, 0xffff, 2)).find("QE auth data at offset") != std::string::npos);
    CHECK(parse_error(with_le(q, kInnerSizeV4, 3679, 4)).find("inner certification data size 3679") != std::string::npos);
    CHECK(parse_error(with_le(q, kInnerSizeV4, 0xffffffff, 4)).find("does not match") != std::string::npos);
}

TEST_CASE("unsupported header and certification types are rejected") {
    const auto q = vector_bytes(kQuote4);
    CHECK(parse_error(with_le(q, 0, 3, 2)) == "unsupported quote version 3 (expected 4 or 5)");
    CHECK(parse_error(with_le(q, 2, 3, 2)).find("attestation key type 3") != std::string::npos);
    CHECK(parse_error(with_le(q, 4, 0, 4)) == "TEE type 0 is not TDX (0x81)");
    CHECK(parse_error(with_le(q, kCertTypeV4, 5, 2)).find("type 5 is not 6") != std::string::npos);
    CHECK(parse_error(with_le(q, kInnerTypeV4, 3, 2)).find("type 3 is not 5") != std::string::npos);
}

TEST_CASE("v5 body descriptors must name a known body type of the right size") {
    const auto q = vector_bytes(kQuote5);
    CHECK(parse_error(with_le(q, 48, 4, 2)) == "unsupported v5 body type 4 (expected 2 or 3)");
    CHECK(parse_error(with_le(q, 50, 584, 4)) == "v5 body size 584 does not match body type 3 (expected 648)");
}

TEST_CASE("a PCK chain with a NUL inside is rejected") {
    auto q = vector_bytes(kQuote4);
    q[1258 + 10] = 0;
    CHECK(parse_error(q).find("NUL byte") != std::string::npos);
}

TEST_CASE("oversized input is refused before parsing") {
    std::vector<uint8_t> big(kMaxTdxQuoteSize + 1, 0);
    CHECK(parse_error(big).find("exceeds") != std::string::npos);
}

TEST_CASE("quote signature and QE report binding verify on all three quotes") {
    for (const char* file : {kSprE4Quote, kQuote4, kQuote5}) {
        CAPTURE(file);
        TdxQuote q = parsed_vector_quote(file);
        auto sig = verify_quote_signature(q);
        CHECK_MESSAGE(sig.ok(), sig.error().to_string());
        auto binding = check_qe_report_binding(q);
        CHECK_MESSAGE(binding.ok(), binding.error().to_string());
    }
}

TEST_CASE("one-bit flips anywhere in the signed region break the quote signature") {
    for (const char* file : {kQuote4, kQuote5}) {
        const auto bytes = vector_bytes(file);
        const size_t signed_size = parse_tdx_quote(bytes)->signed_region.size();
        for (size_t i = 0; i < signed_size; ++i) {
            auto q = parse_tdx_quote(flipped(bytes, i, static_cast<unsigned>(i % 8)));
            if (!q.ok())
                continue;  // header / descriptor flips that no longer parse are rejected anyway
            CAPTURE(i);
            REQUIRE_FALSE(verify_quote_signature(*q).ok());
        }
    }
}

TEST_CASE("flipping the quote signature or the attestation key fails") {
    const auto bytes = vector_bytes(kQuote4);
    auto sig_flip = parse_tdx_quote(flipped(bytes, 636 + 5, 1));
    CHECK_FALSE(verify_quote_signature(*sig_flip).ok());
    auto key_flip = parse_tdx_quote(flipped(bytes, 700 + 63, 0));
    CHECK_FALSE(verify_quote_signature(*key_flip).ok());
    CHECK(check_qe_report_binding(*key_flip).error().message().find("REPORTDATA[0..32)") != std::string::npos);
}

TEST_CASE("a changed QE auth data byte breaks the binding") {
    auto q = parse_tdx_quote(flipped(vector_bytes(kQuote4), 1220, 3));
    CHECK_FALSE(check_qe_report_binding(*q).ok());
}

}  // namespace
}  // namespace cw::attest
