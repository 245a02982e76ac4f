// Intel SGX/TDX certificate chains: the PCK chain carried in a quote (PCK leaf -> PCK Platform
// or Processor CA -> Intel SGX Root CA) and the collateral signing chain (Intel SGX TCB Signing
// -> Intel SGX Root CA), both anchored at the Intel SGX Root CA pinned below.
//
// Trust: the only anchor is a root certificate whose SHA-256 equals kIntelSgxRootCaSha256. The
// root travels with the evidence (or the collateral); it is accepted as the trust anchor only
// after its fingerprint matches, and its self-signature is checked too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/tdx/sgx_pck_extensions.h"
#include "evidence/x509/chain.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

// Intel SGX Root CA (P-256, valid 2018-05-21 .. 2049-12-31): SHA-256 of its DER encoding
// (vectors/README.md "Pinned roots"; Intel publishes it at certificates.trustedservices.intel.com).
inline constexpr std::array<uint8_t, 32> kIntelSgxRootCaSha256 = {
    0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49, 0xE9, 0x5B, 0x80, 0x7A, 0x35,
    0x0E, 0x74, 0x24, 0x96, 0x43, 0x99, 0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3,
};

inline constexpr std::string_view kSgxRootCaCn = "Intel SGX Root CA";
inline constexpr std::string_view kPckPlatformCaCn = "Intel SGX PCK Platform CA";
inline constexpr std::string_view kPckProcessorCaCn = "Intel SGX PCK Processor CA";
inline constexpr std::string_view kPckLeafCn = "Intel SGX PCK Certificate";
inline constexpr std::string_view kTcbSigningCn = "Intel SGX TCB Signing";

// A PEM chain split into its certificates, leaf first, root last.
struct IntelChain {
    std::vector<X509Ptr> certs;
    [[nodiscard]] X509* leaf() const { return certs.front().get(); }
    [[nodiscard]] X509* root() const { return certs.back().get(); }
};

// The quote's type-5 PEM: exactly leaf, Platform/Processor CA, root (checked by subject CN),
// with the root's fingerprint equal to the pin. Parsing is not verification.
Result<IntelChain> parse_pck_chain(std::string_view pem);
// A PCS issuer chain (TCB-Info-Issuer-Chain / SGX-Enclave-Identity-Issuer-Chain): exactly the
// TCB Signing certificate and the pinned root.
Result<IntelChain> parse_tcb_signing_chain(std::string_view pem);

// Verifies the chain (X509 strict, root self-signature checked) at `at_time` (nullopt = now).
// With CRLs, every certificate must be covered by a current CRL from its issuer: pass the PCK
// CRL and the root CA CRL for a PCK chain, the root CA CRL for a TCB signing chain.
ChainResult verify_intel_chain(const IntelChain& chain, std::span<X509_CRL* const> crls,
                               std::optional<int64_t> at_time);

// The SGX extension of the PCK leaf (call after verify_intel_chain succeeded).
Result<SgxPckExtensions> pck_leaf_extensions(const X509* leaf);

}  // namespace cw::attest
