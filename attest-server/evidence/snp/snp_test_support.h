// Test-only: the SNP vectors loaded as report bytes and certificate chains.
#pragma once

#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "evidence/snp/snp_verify.h"
#include "evidence/x509/test_vectors.h"

namespace cw::attest::testing {

inline constexpr std::string_view kMilanChain = "snp/go-sev-guest/ask_ark_milan.pem";          // ASK, ARK
inline constexpr std::string_view kMilanVlekChain = "snp/go-sev-guest/ask_ark_milan_vlek.pem";  // ASVK, ARK
inline constexpr std::string_view kGenoaChain = "snp/go-sev-guest/ask_ark_genoa.pem";
inline constexpr std::string_view kTurinChain = "snp/go-sev-guest/ask_ark_turin_vcek.pem";
inline constexpr std::string_view kGsgReport = "snp/go-sev-guest/attestation.bin";
inline constexpr std::string_view kGsgVcek = "snp/go-sev-guest/vcek.testcer";
inline constexpr std::string_view kTrusteeReport = "snp/trustee/test-report.bin";
inline constexpr std::string_view kTrusteeVcek = "snp/trustee/test-vcek.der";
inline constexpr std::string_view kVlekReport = "snp/trustee/test-vlek-report.bin";
inline constexpr std::string_view kVlek = "snp/trustee/test-vlek.der";
inline constexpr std::string_view kTurinVcek = "snp/virtee-sev/vcek_turin.der";

// A KDS cert_chain bundle (intermediate, then ARK) plus a leaf.
struct LoadedChain {
    std::vector<X509Ptr> bundle;
    X509Ptr leaf;

    [[nodiscard]] SnpCertChain as(SnpLeafKind slot) const {
        return SnpCertChain{.ark = bundle[1].get(), .intermediate = bundle[0].get(), .leaf = leaf.get(), .leaf_slot = slot};
    }
};

inline LoadedChain load_chain(std::string_view bundle, std::string_view leaf) {
    LoadedChain out{vector_bundle(bundle), vector_cert(leaf)};
    REQUIRE(out.bundle.size() == 2);
    return out;
}

inline SnpVerifyOptions pinned() { return SnpVerifyOptions{.at_time = kSnpPinnedTime}; }

}  // namespace cw::attest::testing
