// Collateral: raw-byte signatures, TCB info / QE identity parsing, QE identity matching and
// TCB level evaluation, on the shipped PCS responses.
#include <doctest/doctest.h>

#include "evidence/tdx/json_fields.h"
#include "evidence/tdx/signed_json.h"
#include "evidence/tdx/tdx_pck.h"
#include "evidence/tdx/tdx_qe_identity.h"
#include "evidence/tdx/tdx_tcb_eval.h"
#include "evidence/tdx/tdx_tcb_info.h"
#include "evidence/tdx/tdx_test_support.h"
#include "evidence/x509/chain.h"
#include "evidence/x509/digest.h"

namespace cw::attest {
namespace {

using namespace testing;

X509CrlPtr root_crl() {
    auto crl = parse_crl(vector_bytes(kRootCrl));
    REQUIRE(crl.ok());
    return std::move(crl).value();
}

SignedCollateralCheck check_tcb_info(const std::string& doc, X509_CRL* crl, std::optional<int64_t> at) {
    return verify_signed_collateral(doc, "tcbInfo", vector_text(kTcbIssuerChain), crl, at);
}

TcbInfo sample_tcb_info() {
    const std::string doc = vector_text(kTcbInfo);
    auto split = split_signed_json(doc, "tcbInfo");
    REQUIRE(split.ok());
    auto info = parse_tcb_info(split->body);
    REQUIRE_MESSAGE(info.ok(), info.error().to_string());
    return std::move(info).value();
}

SgxPckExtensions pck_of(const char* quote_file) {
    auto chain = parse_pck_chain(parsed_vector_quote(quote_file).pck_chain_pem);
    REQUIRE(chain.ok());
    auto ext = pck_leaf_extensions(chain->leaf());
    REQUIRE_MESSAGE(ext.ok(), ext.error().to_string());
    return *ext;
}

TdxTcbInput td_of(const char* quote_file) {
    TdxQuote q = parsed_vector_quote(quote_file);
    TdxTcbInput in;
    std::copy(std::begin(q.body.tee_tcb_svn), std::end(q.body.tee_tcb_svn), in.tee_tcb_svn.begin());
    return in;  // mrsignerseam and seam_attributes are zero in all vectors
}

TEST_CASE("the signed bodies are the exact raw bytes of the values") {
    const std::string tcb_doc = vector_text(kTcbInfo);
    auto tcb = split_signed_json(tcb_doc, "tcbInfo");
    REQUIRE(tcb.ok());
    CHECK(tcb->body.size() == 2245);
    CHECK(tcb->body.substr(0, 8) == R"({"id":"T)");
    CHECK(tcb_doc.substr(11 + 2245, 12) == R"(,"signature")");
    const std::string qe_doc = vector_text(kQeIdentity);
    auto qe = split_signed_json(qe_doc, "enclaveIdentity");
    REQUIRE(qe.ok());
    CHECK(qe->body.size() == 461);
}

TEST_CASE("TCB info and QE identity signatures verify at the pinned time, with the root CA CRL") {
    auto crl = root_crl();
    auto tcb = check_tcb_info(vector_text(kTcbInfo), crl.get(), kTdxCollateralTime);
    CHECK_MESSAGE(tcb.ok(), tcb.message);
    auto qe = verify_signed_collateral(vector_text(kQeIdentity), "enclaveIdentity", vector_text(kQeIssuerChain),
                                       crl.get(), kTdxCollateralTime);
    CHECK_MESSAGE(qe.ok(), qe.message);
}

TEST_CASE("one changed byte inside the tcbInfo value breaks its signature") {
    std::string doc = vector_text(kTcbInfo);
    const size_t at = doc.find("50806f000000");
    REQUIRE(at != std::string::npos);
    doc[at + 11] = '1';
    auto check = check_tcb_info(doc, nullptr, kTdxCollateralTime);
    CHECK(check.reason == TdxReason::CollateralSignature);
}

TEST_CASE("one changed byte inside the enclaveIdentity value breaks its signature") {
    std::string doc = vector_text(kQeIdentity);
    doc[doc.find("\"isvprodid\":2") + 12] = '3';
    auto check = verify_signed_collateral(doc, "enclaveIdentity", vector_text(kQeIssuerChain), nullptr,
                                          kTdxCollateralTime);
    CHECK(check.reason == TdxReason::CollateralSignature);
}

TEST_CASE("a re-serialized tcbInfo no longer verifies") {
    auto json = nlohmann::json::parse(vector_text(kTcbInfo));
    auto check = check_tcb_info(json.dump(), nullptr, kTdxCollateralTime);
    CHECK(check.reason == TdxReason::CollateralSignature);
}

TEST_CASE("unpinned time: the TCB Signing certificate (10) and the root CA CRL (12) are expired") {
    auto no_crl = check_tcb_info(vector_text(kTcbInfo), nullptr, std::nullopt);
    CHECK(no_crl.reason == TdxReason::CollateralChain);
    CHECK(no_crl.x509_error == 10);
    auto crl = root_crl();
    auto with_crl = check_tcb_info(vector_text(kTcbInfo), crl.get(), std::nullopt);
    CHECK(with_crl.reason == TdxReason::CollateralChain);
    CHECK(with_crl.x509_error == 12);
}

TEST_CASE("a PCK chain cannot stand in for the TCB signing chain") {
    auto check = verify_signed_collateral(vector_text(kTcbInfo), "tcbInfo",
                                          vector_text("tdx/derived/trustee_tdx_quote_4_pck_chain.pem"), nullptr,
                                          kTdxCollateralTime);
    CHECK(check.reason == TdxReason::CollateralChain);
}

TEST_CASE("signed documents with the wrong shape are invalid collateral") {
    const std::string sig = "\"" + std::string(128, 'a') + "\"";
    auto error_of = [](const std::string& doc) {
        auto split = split_signed_json(doc, "tcbInfo");
        REQUIRE_FALSE(split.ok());
        return split.error().message();
    };
    CHECK(error_of(R"({"tcbInfo":{},"tcbInfo":{},"signature":)" + sig + "}").find("twice") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":{},"extra":1,"signature":)" + sig + "}").find("unexpected member") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":{},"signature":)" + sig + "} x").find("bytes after") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":{},"signature":"abcd"})").find("128 hex digits") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":{}})").find("needs both") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":{"a" 1},"signature":)" + sig + "}").find("not valid JSON") != std::string::npos);
    CHECK(error_of(R"({"tcbInfo":)" + std::string(40, '[') + std::string(40, ']') + ",\"signature\":" + sig + "}")
              .find("nesting") != std::string::npos);
    CHECK(error_of("[1]").find("expected '{'") != std::string::npos);
}

TEST_CASE("sample TCB info parses into its two levels") {
    TcbInfo info = sample_tcb_info();
    CHECK(to_hex_lower(info.fmspc) == "50806f000000");
    CHECK(info.tcb_evaluation_data_number == 15);
    REQUIRE(info.levels.size() == 2);
    CHECK(info.levels[0].status == TcbStatus::UpToDate);
    CHECK(to_hex_lower(info.levels[0].sgx_components) == "05050202030100030000000000000000");
    CHECK(info.levels[0].pcesvn == 11);
    CHECK(to_hex_lower(info.levels[0].tdx_components) == "03000500000000000000000000000000");
    CHECK(info.levels[1].status == TcbStatus::OutOfDate);
    CHECK(info.levels[1].advisory_ids.size() == 13);
    CHECK(info.next_update == 1689669778);  // 2023-07-18T08:42:58Z
}

TEST_CASE("TCB info with unknown statuses or short component lists is refused") {
    auto info_from = [](std::string body) { return parse_tcb_info(body); };
    std::string body(split_signed_json(vector_text(kTcbInfo), "tcbInfo")->body);
    std::string bad_status = body;
    bad_status.replace(bad_status.find("UpToDate"), 8, "Great");
    CHECK(info_from(bad_status).error().message().find("unknown tcbStatus") != std::string::npos);
    std::string short_list = body;
    short_list.replace(short_list.find(R"({"svn":0},)"), 10, "");
    CHECK(info_from(short_list).error().message().find("expected 16") != std::string::npos);
}

TEST_CASE("QE identity parses and the SPR_E4 QE matches it at UpToDate") {
    auto identity = parse_qe_identity(split_signed_json(vector_text(kQeIdentity), "enclaveIdentity")->body);
    REQUIRE_MESSAGE(identity.ok(), identity.error().to_string());
    CHECK(identity->isvprodid == 2);
    auto status = match_qe_identity(parsed_vector_quote(kSprE4Quote).qe_report, *identity);
    REQUIRE_MESSAGE(status.ok(), status.error().to_string());
    CHECK(*status == TcbStatus::UpToDate);
}

TEST_CASE("QE identity mismatches are named") {
    auto identity = parse_qe_identity(split_signed_json(vector_text(kQeIdentity), "enclaveIdentity")->body).value();
    TdxQuote q = parsed_vector_quote(kQuote4);
    auto report = q.qe_report;
    report.mrsigner[0] ^= 1;
    CHECK(match_qe_identity(report, identity).error().message().find("MRSIGNER") != std::string::npos);
    report = q.qe_report;
    report.attributes[0] ^= 0x02;  // under the mask (FB...)
    CHECK(match_qe_identity(report, identity).error().message().find("ATTRIBUTES") != std::string::npos);
    report = q.qe_report;
    report.isvsvn = 3;
    CHECK(match_qe_identity(report, identity).error().message().find("below every") != std::string::npos);
}

TEST_CASE("PCK SGX extensions of the quote leaves") {
    SgxPckExtensions spr = pck_of(kSprE4Quote);
    CHECK(to_hex_lower(spr.fmspc) == "50806f000000");
    CHECK(to_hex_lower(std::span(spr.sgx_tcb_components).first(8)) == "0303020202010002");
    SgxPckExtensions q4 = pck_of(kQuote4);
    CHECK(to_hex_lower(std::span(q4.sgx_tcb_components).first(8)) == "05050d0203010003");
    CHECK(q4.pcesvn == 11);
    CHECK(to_hex_lower(q4.pceid) == "0000");
    CHECK(to_hex_lower(pck_of(kQuote5).fmspc) == "90c06f000000");
}

TEST_CASE("SPR_E4 matches no TCB level of the sample TCB info") {
    auto level = match_tcb_level(sample_tcb_info(), pck_of(kSprE4Quote), td_of(kSprE4Quote));
    REQUIRE_FALSE(level.ok());
    CHECK(level.error().message().find("no TCB level matches") != std::string::npos);
}

TEST_CASE("tdx_quote_4 matches the 2023-02-15 UpToDate level") {
    auto level = match_tcb_level(sample_tcb_info(), pck_of(kQuote4), td_of(kQuote4));
    REQUIRE_MESSAGE(level.ok(), level.error().to_string());
    CHECK(level->status == TcbStatus::UpToDate);
    CHECK(level->tcb_date == 1676419200);  // 2023-02-15
    CHECK_FALSE(level->module_status.has_value());
}

TEST_CASE("TCB info for another FMSPC, or another TDX module signer, is refused") {
    TcbInfo info = sample_tcb_info();
    CHECK(check_tcb_info_platform(info, pck_of(kQuote4)).ok());
    CHECK(check_tcb_info_platform(info, pck_of(kQuote5)).error().message().find("FMSPC") != std::string::npos);
    TdxTcbInput td = td_of(kQuote4);
    CHECK(check_tdx_module(info, td).ok());
    td.mrsignerseam[5] = 1;
    CHECK(check_tdx_module(info, td).error().message().find("MRSIGNERSEAM") != std::string::npos);
}

TEST_CASE("TDX 1.5 modules are judged by tdxModuleIdentities") {
    TcbInfo info = sample_tcb_info();
    TdxTcbInput td = td_of(kQuote4);
    td.tee_tcb_svn[1] = 1;  // module major SVN 1: identity TDX_01
    CHECK(check_tdx_module(info, td).error().message().find("TDX_01") != std::string::npos);
    TdxModuleIdentity identity;
    identity.id = "TDX_01";
    identity.module = info.tdx_module;
    identity.levels = {{5, 0, TcbStatus::UpToDate}, {2, 0, TcbStatus::OutOfDate}};
    info.module_identities.push_back(identity);
    CHECK(check_tdx_module(info, td).ok());
    td.tee_tcb_svn[0] = 3;  // minor SVN 3: second module level
    auto level = match_tcb_level(info, pck_of(kQuote4), td);
    REQUIRE_MESSAGE(level.ok(), level.error().to_string());
    CHECK(level->platform_status == TcbStatus::UpToDate);
    CHECK(level->module_status == TcbStatus::OutOfDate);
    CHECK(level->status == TcbStatus::OutOfDate);
    td.tee_tcb_svn[0] = 1;
    CHECK(match_tcb_level(info, pck_of(kQuote4), td).error().message().find("TDX_01") != std::string::npos);
}

TEST_CASE("PCS dates parse strictly") {
    CHECK(tdx::parse_utc_date("2023-06-20T00:00:00Z").value() == kTdxCollateralTime);
    CHECK(tdx::parse_utc_date("2024-02-29T12:00:00Z").value() == 1709208000);
    CHECK_FALSE(tdx::parse_utc_date("2023-02-29T00:00:00Z").ok());
    CHECK_FALSE(tdx::parse_utc_date("2023-06-20 00:00:00Z").ok());
    CHECK_FALSE(tdx::parse_utc_date("2023-06-20T00:00:00").ok());
}

}  // namespace
}  // namespace cw::attest
