// Test-only: the TDX files of shared/vectors (README "TDX files") by role. Missing files fail
// the test (evidence/x509/test_vectors.h), never skip it.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "evidence/tdx/tdx_collateral.h"
#include "evidence/tdx/tdx_quote.h"
#include "evidence/x509/test_vectors.h"

namespace cw::attest::testing {

inline constexpr const char* kSprE4Quote = "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat";
inline constexpr const char* kQuote4 = "tdx/trustee/tdx_quote_4.dat";
inline constexpr const char* kQuote5 = "tdx/trustee/tdx_quote_5.dat";
inline constexpr const char* kTcbInfo = "tdx/go-tdx-guest/sample_tcbInfo_response";
inline constexpr const char* kQeIdentity = "tdx/go-tdx-guest/sample_qeIdentity_response";
inline constexpr const char* kTcbIssuerChain = "tdx/go-tdx-guest/tcbInfoIssuerChain.pem";
inline constexpr const char* kQeIssuerChain = "tdx/go-tdx-guest/qeIdentityIssuerChain.pem";
inline constexpr const char* kPckCrl = "tdx/go-tdx-guest/pckcrl";
inline constexpr const char* kRootCrl = "tdx/go-tdx-guest/rootcrl.der";

inline std::string vector_text(const char* relative) {
    auto bytes = vector_bytes(relative);
    return std::string(bytes.begin(), bytes.end());
}

inline TdxQuote parsed_vector_quote(const char* relative) {
    auto quote = parse_tdx_quote(vector_bytes(relative));
    REQUIRE_MESSAGE(quote.ok(), quote.error().to_string());
    return std::move(quote).value();
}

// All shipped collateral: TCB info for FMSPC 50806f000000, QE identity, issuer chain, CRLs.
inline TdxCollateral vector_collateral() {
    TdxCollateralFiles files;
    files.tcb_infos = {vector_path(kTcbInfo)};
    files.qe_identity = vector_path(kQeIdentity);
    files.tcb_info_issuer_chain = vector_path(kTcbIssuerChain);
    files.qe_identity_issuer_chain = vector_path(kQeIssuerChain);
    files.pck_crl = vector_path(kPckCrl);
    files.root_ca_crl = vector_path(kRootCrl);
    auto collateral = load_tdx_collateral(files);
    REQUIRE_MESSAGE(collateral.ok(), collateral.error().to_string());
    return std::move(collateral).value();
}

// Flips one bit of a copy.
inline std::vector<uint8_t> flipped(std::vector<uint8_t> bytes, size_t offset, unsigned bit) {
    bytes.at(offset) = static_cast<uint8_t>(bytes.at(offset) ^ (1U << bit));
    return bytes;
}

}  // namespace cw::attest::testing
