// End-to-end SNP verification against the real reports, VCEKs, VLEK and AMD chains, pinned at
// 2025-06-01 (vectors/README.md), with the negative cases the README lists.
#include <doctest/doctest.h>

#include <cstring>

#include "evidence/snp/snp_roots.h"
#include "evidence/snp/snp_test_support.h"
#include "evidence/snp/snp_verify.h"
#include "evidence/x509/chain.h"

namespace cw::attest {
namespace {

using testing::load_chain;
using testing::pinned;
using testing::vector_bytes;

void require_ok(const SnpVerdict& v) {
    REQUIRE_MESSAGE(v.ok(), snp_reason_code(v.reason) << ": " << v.message);
}

TEST_CASE("attestation.bin verifies with vcek.testcer and the Milan chain") {
    auto chain = load_chain(testing::kMilanChain, testing::kGsgVcek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kGsgReport), chain.as(SnpLeafKind::Vcek), pinned());
    require_ok(v);
    CHECK(v.product == SnpProduct::Milan);  // version 2: from the VCEK product name and the ARK
    CHECK(v.checks.chip_id == CheckState::Passed);
    CHECK(v.checks.reported_tcb == CheckState::Passed);
    CHECK(v.checks.signature == CheckState::Passed);
    CHECK(v.reported_tcb == SnpTcb{.boot_loader = 2, .tee = 0, .snp = 5, .microcode = 0x44});
    CHECK(v.report->policy.debug);  // verified, but policy must refuse it (snp_policy_test)
}

TEST_CASE("test-report.bin verifies with test-vcek.der; SPLs match REPORTED_TCB, not CURRENT_TCB") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kTrusteeReport), chain.as(SnpLeafKind::Vcek), pinned());
    require_ok(v);
    CHECK(v.reported_tcb == SnpTcb{.boot_loader = 3, .tee = 0, .snp = 8, .microcode = 0x73});
    auto current = decode_snp_tcb(v.report->wire.current_tcb, SnpProduct::Milan);
    REQUIRE(current.ok());
    CHECK(current.value().microcode == 0xCE);
    CHECK(v.leaf->ucode_spl != current.value().microcode);
}

TEST_CASE("test-report.bin verifies at the current time too (VCEKs are long-lived)") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    require_ok(verify_snp_report(vector_bytes(testing::kTrusteeReport), chain.as(SnpLeafKind::Vcek)));
}

TEST_CASE("the VLEK report verifies via the ASVK at the pinned time, without a CHIP_ID") {
    auto chain = load_chain(testing::kMilanVlekChain, testing::kVlek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kVlekReport), chain.as(SnpLeafKind::Vlek), pinned());
    require_ok(v);
    CHECK(v.checks.chip_id == CheckState::NotApplicable);
    CHECK(v.leaf->csp_id == "CN=cc-us-east-2.amazonaws.com");
    CHECK(v.reported_tcb == SnpTcb{.boot_loader = 4, .tee = 0, .snp = 24, .microcode = 0xD9});
}

TEST_CASE("the VLEK under the ASK instead of the ASVK: chain error 20") {
    auto chain = load_chain(testing::kMilanChain, testing::kVlek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kVlekReport), chain.as(SnpLeafKind::Vlek), pinned());
    CHECK(v.reason == SnpReason::ChainInvalid);
    CHECK(v.x509_error == 20);
    CHECK(v.checks.chain == CheckState::Failed);
}

TEST_CASE("the VLEK at the current time is expired: chain error 10") {
    auto chain = load_chain(testing::kMilanVlekChain, testing::kVlek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kVlekReport), chain.as(SnpLeafKind::Vlek));
    CHECK(v.reason == SnpReason::ChainInvalid);
    CHECK(v.x509_error == 10);
    CHECK(snp_reason_code(v.reason) == "chain_invalid");
}

TEST_CASE("a VLEK presented as the VCEK fails") {
    auto chain = load_chain(testing::kMilanVlekChain, testing::kVlek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kVlekReport), chain.as(SnpLeafKind::Vcek), pinned());
    CHECK(v.reason == SnpReason::CertKindMismatch);
    CHECK(v.checks.leaf_kind == CheckState::Failed);
}

TEST_CASE("a VCEK presented as the VLEK fails") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kTrusteeReport), chain.as(SnpLeafKind::Vlek), pinned());
    CHECK(v.reason == SnpReason::CertKindMismatch);
}

TEST_CASE("a report whose SIGNING_KEY says VLEK is refused with a VCEK, even before the signature") {
    auto bytes = vector_bytes(testing::kTrusteeReport);
    bytes[0x048] = 1u << 2;  // SIGNING_KEY = VLEK
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    SnpVerdict v = verify_snp_report(bytes, chain.as(SnpLeafKind::Vcek), pinned());
    CHECK(v.reason == SnpReason::SigningKeyMismatch);
}

TEST_CASE("the legacy and new hwID test VCEKs have broken signatures: chain error 7") {
    for (std::string_view leaf : {"snp/trustee/test-vcek-invalid-legacy.der", "snp/trustee/test-vcek-invalid-new.der"}) {
        CAPTURE(leaf);
        auto chain = load_chain(testing::kMilanChain, leaf);
        SnpVerdict v = verify_snp_report(vector_bytes(testing::kTrusteeReport), chain.as(SnpLeafKind::Vcek), pinned());
        CHECK(v.reason == SnpReason::ChainInvalid);
        CHECK(v.x509_error == 7);
    }
}

TEST_CASE("the Turin VCEK chains to the pinned Turin ARK") {
    auto chain = load_chain(testing::kTurinChain, testing::kTurinVcek);
    X509* untrusted[] = {chain.bundle[0].get()};
    X509* trusted[] = {chain.bundle[1].get()};
    CHECK(snp_pinned_ark_product(chain.bundle[1].get()) == SnpProduct::Turin);
    ChainResult r = verify_chain(chain.leaf.get(), untrusted, trusted, ChainOptions{.at_time = testing::kSnpPinnedTime});
    CHECK_MESSAGE(r.ok(), r.error().message());
}

TEST_CASE("a one-bit flip anywhere in the signed region fails the signature") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    const auto original = vector_bytes(testing::kTrusteeReport);
    std::vector<size_t> positions = {0, kSnpSignedSize - 1};
    for (size_t pos = 37; pos < kSnpSignedSize; pos += 37)
        positions.push_back(pos);
    for (size_t pos : positions) {
        for (uint8_t bit : {uint8_t{0x01}, uint8_t{0x80}}) {
            auto bytes = original;
            bytes[pos] ^= bit;
            SnpVerdict v = verify_snp_report(bytes, chain.as(SnpLeafKind::Vcek), pinned());
            CAPTURE(pos);
            CAPTURE(int{bit});
            CHECK_FALSE(v.ok());
            // Flips the parser refuses (version, reserved fields) and flips that change which key or
            // product the report names fail before the signature; everything else fails there.
            CHECK((v.reason == SnpReason::SignatureInvalid || v.reason == SnpReason::MalformedReport ||
                   v.reason == SnpReason::SigningKeyMismatch || v.reason == SnpReason::UnsignedReport ||
                   v.reason == SnpReason::ProductMismatch));
        }
    }
}

TEST_CASE("a flip in a field the parser accepts is caught by the signature") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    auto bytes = vector_bytes(testing::kTrusteeReport);
    bytes[0x090] ^= 1;  // MEASUREMENT
    SnpVerdict v = verify_snp_report(bytes, chain.as(SnpLeafKind::Vcek), pinned());
    CHECK(v.reason == SnpReason::SignatureInvalid);
    CHECK(v.checks.chain == CheckState::Passed);
}

TEST_CASE("swapped R and S fail the signature") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    auto bytes = vector_bytes(testing::kTrusteeReport);
    std::array<uint8_t, 72> r{};
    std::memcpy(r.data(), bytes.data() + 0x2A0, 72);
    std::memmove(bytes.data() + 0x2A0, bytes.data() + 0x2E8, 72);
    std::memcpy(bytes.data() + 0x2E8, r.data(), 72);
    CHECK(verify_snp_report(bytes, chain.as(SnpLeafKind::Vcek), pinned()).reason == SnpReason::SignatureInvalid);
}

TEST_CASE("attestation.bin with the wrong VCEK (test-vcek.der) fails") {
    auto chain = load_chain(testing::kMilanChain, testing::kTrusteeVcek);
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kGsgReport), chain.as(SnpLeafKind::Vcek), pinned());
    CHECK(v.reason == SnpReason::SignatureInvalid);
}

TEST_CASE("a Milan VCEK under the Genoa ARK fails the chain") {
    auto milan = load_chain(testing::kMilanChain, testing::kGsgVcek);
    auto genoa = testing::vector_bundle(testing::kGenoaChain);
    SnpCertChain chain = milan.as(SnpLeafKind::Vcek);
    chain.ark = genoa[1].get();
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kGsgReport), chain, pinned());
    CHECK(v.reason == SnpReason::ChainInvalid);
    CHECK(v.x509_error == 20);
    CHECK(v.checks.root_pinned == CheckState::Passed);
}

TEST_CASE("an ARK that is not pinned is refused before any chain work") {
    auto chain = load_chain(testing::kMilanChain, testing::kGsgVcek);
    SnpCertChain c = chain.as(SnpLeafKind::Vcek);
    c.ark = chain.bundle[0].get();  // the ASK posing as the root
    SnpVerdict v = verify_snp_report(vector_bytes(testing::kGsgReport), c, pinned());
    CHECK(v.reason == SnpReason::UntrustedRoot);
}

TEST_CASE("missing certificates and unsigned reports are refused") {
    auto chain = load_chain(testing::kMilanChain, testing::kGsgVcek);
    SnpCertChain c = chain.as(SnpLeafKind::Vcek);
    c.intermediate = nullptr;
    CHECK(verify_snp_report(vector_bytes(testing::kGsgReport), c, pinned()).reason == SnpReason::MissingCertificate);
    auto bytes = vector_bytes(testing::kGsgReport);
    bytes[0x048] = 7u << 2;
    CHECK(verify_snp_report(bytes, chain.as(SnpLeafKind::Vcek), pinned()).reason == SnpReason::UnsignedReport);
}

TEST_CASE("malformed input gives a verdict, not a crash") {
    auto chain = load_chain(testing::kMilanChain, testing::kGsgVcek);
    SnpVerdict v = verify_snp_report(std::vector<uint8_t>(100, 0), chain.as(SnpLeafKind::Vcek), pinned());
    CHECK(v.reason == SnpReason::MalformedReport);
    CHECK_FALSE(v.report.has_value());
    CHECK(v.message.find("100 bytes") != std::string::npos);
}

}  // namespace
}  // namespace cw::attest
