// Loading X.509 certificates (DER, PEM, PEM bundles) and reading the few things the verifiers
// need from them: SHA-256 fingerprint, subject CN, raw extension values, public key.
// Parsing a certificate says nothing about trust: that is chain.h's job.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/x509/digest.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

// Files read by the loaders are capped: certificates and bundles are a few KiB.
inline constexpr uint64_t kMaxCertFileSize = 1 << 20;

// Exactly one DER certificate; trailing bytes are an error.
Result<X509Ptr> parse_cert_der(std::span<const uint8_t> der);
// Exactly one PEM certificate (the first "-----BEGIN CERTIFICATE-----" block; later blocks are
// an error so a bundle is never silently truncated to its first certificate).
Result<X509Ptr> parse_cert_pem(std::span<const uint8_t> pem);
// PEM if the bytes contain "-----BEGIN", DER otherwise.
Result<X509Ptr> parse_cert(std::span<const uint8_t> bytes);
// All certificates of a PEM bundle, in file order (KDS cert_chain: ASK then ARK); at least one.
// DER input yields a one-element vector.
Result<std::vector<X509Ptr>> parse_cert_bundle(std::span<const uint8_t> bytes);

Result<X509Ptr> load_cert_file(const std::string& path);
Result<std::vector<X509Ptr>> load_cert_bundle_file(const std::string& path);

// Reads a whole (small) file; the error names the path.
Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, uint64_t max_size);

std::vector<uint8_t> cert_der(const X509* cert);
// SHA-256 over the DER encoding: the form in which roots are pinned.
Sha256Digest cert_sha256_fingerprint(const X509* cert);
// Subject commonName, "" when absent.
std::string subject_cn(const X509* cert);
// One-line RFC 2253 subject, for messages.
std::string subject_line(const X509* cert);

// The contents of the extnValue OCTET STRING of the extension with this dotted OID; nullopt
// when absent. A certificate carrying the extension twice is an error (ambiguous).
Result<std::optional<std::vector<uint8_t>>> extension_value(const X509* cert, std::string_view oid);

// The subject public key (a new reference).
Result<EvpPkeyPtr> cert_public_key(const X509* cert);

}  // namespace cw::attest
