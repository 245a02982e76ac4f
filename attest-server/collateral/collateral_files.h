// The collateral directory shared by `cw-attest-server verify` and the server (loaded once at
// start): files classified by content, never by name.
//
// Directory rule: every regular file directly in the directory (no recursion, at most
// kMaxCollateralFiles, each at most kMaxCollateralFileSize) is one of
//   - certificates: PEM (one or more "BEGIN CERTIFICATE" blocks) or one DER certificate;
//   - a CRL: PEM "BEGIN X509 CRL" or DER;
//   - JSON: a document starting with '{' (PCS TCB info / QE identity responses);
// anything else (the evidence itself, keys, notes) is listed as ignored, with the reason.
// Nothing read here is trusted: the verifiers check every certificate, CRL and signature.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::collateral {

inline constexpr uint64_t kMaxCollateralFileSize = 1 << 20;  // PCS CRLs and TCB info: tens of KiB
inline constexpr size_t kMaxCollateralFiles = 256;

enum class CollateralKind { Certificates, Crl, Json };

struct CollateralFile {
    std::string path;
    CollateralKind kind = CollateralKind::Json;
    std::vector<uint8_t> bytes;   // exactly as read (signed JSON is verified over these bytes)
    std::vector<X509Ptr> certs;   // kind == Certificates, in file order
    X509CrlPtr crl;               // kind == Crl
};

struct CollateralDir {
    std::vector<CollateralFile> files;  // in file-name order
    std::vector<std::string> ignored;   // "PATH: why"
};

// Certificates, a CRL or JSON; an error saying why the bytes are none of these.
Result<CollateralFile> classify_collateral(std::string path, std::vector<uint8_t> bytes);

// Errors name the directory (missing, not a directory, unreadable, too many files). Files too
// large or of no known kind are ignored, not errors: the directory may hold other things.
Result<CollateralDir> scan_collateral_dir(const std::string& dir);

// Parses one CRL, PEM or DER (the whole input).
Result<X509CrlPtr> parse_crl(std::span<const uint8_t> bytes);

// The issuer commonName of a CRL, "" when absent.
std::string crl_issuer_cn(const X509_CRL* crl);

}  // namespace cw::attest::collateral
