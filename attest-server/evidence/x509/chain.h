// Certificate chain verification over OpenSSL's X509_verify_cert, with the verification time
// injectable (tests pin it; expired collateral is otherwise unverifiable) and optional CRLs.
//
// Trust: the certificates passed as `trusted` are the only anchors (the system store is never
// consulted). Callers must decide what to trust before calling, e.g. by pinning the root's
// SHA-256 fingerprint (AMD ARK, Intel SGX Root CA).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

struct ChainOptions {
    // Seconds since the epoch; nullopt verifies at the current time.
    std::optional<int64_t> at_time;
    // X509_V_FLAG_X509_STRICT. Leave it off for AMD chains: VCEKs carry no Authority Key
    // Identifier and strict mode rejects them (error 85). Intel PCK chains pass it.
    bool x509_strict = false;
    // X509_V_FLAG_CHECK_SS_SIGNATURE: also verify the trusted root's self-signature, which
    // OpenSSL otherwise takes on faith.
    bool check_root_signature = true;
    // CRLs to consult. Non-empty => every certificate in the chain must be covered by a CRL
    // from its issuer (X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL); a missing or expired
    // CRL fails the chain (errors 3, 12).
    std::span<X509_CRL* const> crls = {};
};

// The outcome of a chain verification. Usable with CW_TRY (ok / error / value), and carries
// the OpenSSL verify error number for callers (and tests) that branch on it, e.g.
// X509_V_ERR_CERT_SIGNATURE_FAILURE 7, CERT_NOT_YET_VALID 9, CERT_HAS_EXPIRED 10,
// CRL_HAS_EXPIRED 12, UNABLE_TO_GET_ISSUER_CERT_LOCALLY 20, CERT_REVOKED 23.
class [[nodiscard]] ChainResult {
public:
    static ChainResult success() { return ChainResult(X509_V_OK, -1, Error::msg("")); }
    static ChainResult failure(int verify_error, int depth, Error error) {
        return ChainResult(verify_error, depth, std::move(error));
    }

    [[nodiscard]] bool ok() const { return m_verify_error == X509_V_OK; }
    explicit operator bool() const { return ok(); }
    // X509_V_OK (0) on success; X509_V_ERR_UNSPECIFIED (1) when the failure happened before
    // OpenSSL's verifier ran (e.g. allocation).
    [[nodiscard]] int verify_error() const { return m_verify_error; }
    // Depth of the failing certificate (0 = leaf), -1 when unknown.
    [[nodiscard]] int error_depth() const { return m_depth; }
    // "certificate chain: OpenSSL verify error 20 (unable to get local issuer certificate) at
    // depth 1 (CN=...)".
    [[nodiscard]] const Error& error() const& { return m_error; }
    [[nodiscard]] Error&& error() && { return std::move(m_error); }
    void value() const {}

private:
    ChainResult(int verify_error, int depth, Error error)
        : m_verify_error(verify_error), m_depth(depth), m_error(std::move(error)) {}
    int m_verify_error;
    int m_depth;
    Error m_error;
};

// Verifies leaf -> untrusted intermediates -> one of `trusted`. The certificates are not
// modified (OpenSSL takes its own references).
ChainResult verify_chain(X509* leaf, std::span<X509* const> untrusted, std::span<X509* const> trusted,
                         const ChainOptions& options);

// CRLs: DER or PEM (one CRL). Parsing says nothing about the CRL's signature.
Result<X509CrlPtr> parse_crl(std::span<const uint8_t> bytes);
Result<X509CrlPtr> load_crl_file(const std::string& path);
// The CRL's signature against the issuer's public key (chain verification does this itself
// when the CRL is passed in ChainOptions::crls).
Result<void> verify_crl_signature(X509_CRL* crl, X509* issuer);

}  // namespace cw::attest
