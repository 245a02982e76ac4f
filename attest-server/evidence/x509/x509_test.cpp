// Certificates, fingerprints and chain verification against the real AMD and Intel vectors.
#include <doctest/doctest.h>

#include "evidence/x509/cert.h"
#include "evidence/x509/chain.h"
#include "evidence/x509/test_vectors.h"

namespace cw::attest {
namespace {

using testing::kSnpPinnedTime;
using testing::kTdxCollateralTime;
using testing::vector_bundle;
using testing::vector_bytes;
using testing::vector_cert;

constexpr std::string_view kArkMilan = "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD";
constexpr std::string_view kAskMilan = "67D303BD3905FD38DB8B20E0793699870E7FA612EAAD5DEC358293FD8C0BAC1B";
constexpr std::string_view kIntelRoot = "44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3";

ChainResult verify_one(X509* leaf, X509* intermediate, X509* root, ChainOptions options) {
    X509* untrusted[] = {intermediate};
    X509* trusted[] = {root};
    return verify_chain(leaf, untrusted, trusted, options);
}

TEST_CASE("a KDS cert_chain bundle loads ASK then ARK with the pinned fingerprints") {
    auto certs = vector_bundle("snp/go-sev-guest/ask_ark_milan.pem");
    REQUIRE(certs.size() == 2);
    CHECK(to_hex_upper(cert_sha256_fingerprint(certs[0].get())) == kAskMilan);
    CHECK(to_hex_upper(cert_sha256_fingerprint(certs[1].get())) == kArkMilan);
    CHECK(subject_cn(certs[0].get()) == "SEV-Milan");
    CHECK(subject_cn(certs[1].get()) == "ARK-Milan");
}

TEST_CASE("a single-certificate parser refuses a bundle and trailing DER bytes") {
    CHECK_FALSE(parse_cert_pem(vector_bytes("snp/go-sev-guest/ask_ark_milan.pem")).ok());
    std::vector<uint8_t> der = vector_bytes("snp/go-sev-guest/vcek.testcer");
    CHECK(parse_cert(der).ok());
    der.push_back(0);
    auto trailing = parse_cert_der(der);
    REQUIRE_FALSE(trailing.ok());
    CHECK(trailing.error().message().find("trailing") != std::string::npos);
}

TEST_CASE("garbage is not a certificate") {
    const std::vector<uint8_t> junk = {0x30, 0x03, 0x02, 0x01, 0x00};
    CHECK_FALSE(parse_cert(junk).ok());
    CHECK_FALSE(parse_cert_bundle(std::vector<uint8_t>{}).ok());
}

TEST_CASE("Milan VCEK chain verifies at the pinned time; strict mode rejects it for the missing AKI") {
    auto chain = vector_bundle("snp/go-sev-guest/ask_ark_milan.pem");
    X509Ptr vcek = vector_cert("snp/go-sev-guest/vcek.testcer");
    ChainOptions options{.at_time = kSnpPinnedTime};
    ChainResult ok = verify_one(vcek.get(), chain[0].get(), chain[1].get(), options);
    CHECK_MESSAGE(ok.ok(), ok.error().message());

    options.x509_strict = true;
    ChainResult strict = verify_one(vcek.get(), chain[0].get(), chain[1].get(), options);
    CHECK(strict.verify_error() == 85);  // X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER
}

TEST_CASE("a Milan VCEK under the Genoa ARK cannot find its issuer (error 20)") {
    auto milan = vector_bundle("snp/go-sev-guest/ask_ark_milan.pem");
    auto genoa = vector_bundle("snp/go-sev-guest/ask_ark_genoa.pem");
    X509Ptr vcek = vector_cert("snp/go-sev-guest/vcek.testcer");
    ChainResult r = verify_one(vcek.get(), milan[0].get(), genoa[1].get(), ChainOptions{.at_time = kSnpPinnedTime});
    CHECK(r.verify_error() == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    CHECK(r.error().message().find("error 20") != std::string::npos);
}

TEST_CASE("the VLEK is expired at the current time (error 10) and valid at the pinned time") {
    auto chain = vector_bundle("snp/go-sev-guest/ask_ark_milan_vlek.pem");
    X509Ptr vlek = vector_cert("snp/trustee/test-vlek.der");
    CHECK(verify_one(vlek.get(), chain[0].get(), chain[1].get(), ChainOptions{.at_time = kSnpPinnedTime}).ok());
    ChainResult now = verify_one(vlek.get(), chain[0].get(), chain[1].get(), ChainOptions{});
    CHECK(now.verify_error() == X509_V_ERR_CERT_HAS_EXPIRED);
    CHECK(now.error_depth() == 0);
}

TEST_CASE("a certificate used before its notBefore is not yet valid (error 9)") {
    auto chain = vector_bundle("snp/go-sev-guest/ask_ark_milan_vlek.pem");
    X509Ptr vlek = vector_cert("snp/trustee/test-vlek.der");
    ChainResult r = verify_one(vlek.get(), chain[0].get(), chain[1].get(), ChainOptions{.at_time = 1700000000});
    CHECK(r.verify_error() == X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST_CASE("a broken leaf signature is error 7") {
    auto chain = vector_bundle("snp/go-sev-guest/ask_ark_milan.pem");
    X509Ptr bad = vector_cert("snp/trustee/test-vcek-invalid-legacy.der");
    ChainResult r = verify_one(bad.get(), chain[0].get(), chain[1].get(), ChainOptions{.at_time = kSnpPinnedTime});
    CHECK(r.verify_error() == X509_V_ERR_CERT_SIGNATURE_FAILURE);
}

TEST_CASE("Intel PCK chain with both CRLs: OK at the collateral time, CRL expired (12) now") {
    auto chain = vector_bundle("tdx/derived/trustee_tdx_quote_4_pck_chain.pem");
    REQUIRE(chain.size() == 3);
    X509Ptr root = vector_cert("tdx/go-tdx-guest/trusted_root.pem");
    CHECK(to_hex_upper(cert_sha256_fingerprint(root.get())) == kIntelRoot);
    auto pck_crl = parse_crl(vector_bytes("tdx/go-tdx-guest/pckcrl"));
    auto root_crl = parse_crl(vector_bytes("tdx/go-tdx-guest/rootcrl.der"));
    REQUIRE(pck_crl.ok());
    REQUIRE(root_crl.ok());
    CHECK(verify_crl_signature(pck_crl->get(), chain[1].get()).ok());
    CHECK(verify_crl_signature(root_crl->get(), root.get()).ok());
    CHECK_FALSE(verify_crl_signature(pck_crl->get(), root.get()).ok());

    X509_CRL* crls[] = {pck_crl->get(), root_crl->get()};
    ChainOptions options{.at_time = kTdxCollateralTime, .x509_strict = true, .crls = crls};
    ChainResult pinned = verify_one(chain[0].get(), chain[1].get(), root.get(), options);
    CHECK_MESSAGE(pinned.ok(), pinned.error().message());

    options.at_time = std::nullopt;
    CHECK(verify_one(chain[0].get(), chain[1].get(), root.get(), options).verify_error() == X509_V_ERR_CRL_HAS_EXPIRED);

    X509_CRL* only_root[] = {root_crl->get()};
    options = ChainOptions{.at_time = kTdxCollateralTime, .crls = only_root};
    CHECK(verify_one(chain[0].get(), chain[1].get(), root.get(), options).verify_error() ==
          X509_V_ERR_UNABLE_TO_GET_CRL);
}

TEST_CASE("extension_value returns the raw extnValue contents, nullopt when absent") {
    X509Ptr vcek = vector_cert("snp/go-sev-guest/vcek.testcer");
    auto product = extension_value(vcek.get(), "1.3.6.1.4.1.3704.1.2");
    REQUIRE(product.ok());
    REQUIRE(product->has_value());
    CHECK((**product)[0] == 0x16);  // IA5String
    auto absent = extension_value(vcek.get(), "1.3.6.1.4.1.3704.1.5");
    REQUIRE(absent.ok());
    CHECK_FALSE(absent->has_value());
    CHECK_FALSE(extension_value(vcek.get(), "not an oid").ok());
}

TEST_CASE("hex helpers round trip and refuse bad input") {
    const std::vector<uint8_t> bytes = {0x00, 0xAB, 0xFF};
    CHECK(to_hex_upper(bytes) == "00ABFF");
    CHECK(to_hex_lower(bytes) == "00abff");
    CHECK(from_hex("00abFF") == bytes);
    CHECK_FALSE(from_hex("abc").has_value());
    CHECK_FALSE(from_hex("zz").has_value());
}

}  // namespace
}  // namespace cw::attest
