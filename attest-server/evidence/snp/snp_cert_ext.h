// AMD's X.509 extensions on VCEK and VLEK certificates (AMD doc 57230 "VCEK certificate",
// arc 1.3.6.1.4.1.3704.1; attestation-facts 1.3).
//
// Trust: the values are only as good as the certificate; read them after the chain verified.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "evidence/snp/snp_tcb.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

inline constexpr std::string_view kOidStructVersion = "1.3.6.1.4.1.3704.1.1";  // INTEGER
inline constexpr std::string_view kOidProductName = "1.3.6.1.4.1.3704.1.2";    // IA5String "Milan-B0"
inline constexpr std::string_view kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";        // INTEGER
inline constexpr std::string_view kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr std::string_view kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr std::string_view kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr std::string_view kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";       // Turin
inline constexpr std::string_view kOidHwid = "1.3.6.1.4.1.3704.1.4";           // VCEK only
inline constexpr std::string_view kOidCspId = "1.3.6.1.4.1.3704.1.5";          // VLEK only, IA5String

inline constexpr size_t kSnpHwidSize = 64;       // Milan, Genoa: equals CHIP_ID
inline constexpr size_t kSnpTurinHwidSize = 8;   // Turin: equals CHIP_ID[0..8]

// What the leaf certificate says it is: its CN ("SEV-VCEK" / "SEV-VLEK").
enum class SnpLeafKind { Vcek, Vlek };

struct SnpCertExtensions {
    SnpLeafKind kind = SnpLeafKind::Vcek;
    std::optional<uint32_t> struct_version;
    std::string product_name;  // as in the certificate, e.g. "Milan-B0"
    SnpProduct product = SnpProduct::Unknown;
    std::optional<uint8_t> bl_spl;
    std::optional<uint8_t> tee_spl;
    std::optional<uint8_t> snp_spl;
    std::optional<uint8_t> ucode_spl;
    std::optional<uint8_t> fmc_spl;
    std::vector<uint8_t> hwid;  // 64 bytes (8 on Turin) for a VCEK; empty for a VLEK
    std::string csp_id;         // VLEK: the cloud provider, e.g. "CN=cc-us-east-2.amazonaws.com"
};

// Parses and cross-checks the extensions:
// - CN must be SEV-VCEK or SEV-VLEK; a VCEK must carry a hwID, a VLEK must not.
// - The product name must name a known product (Milan, Genoa, Turin).
// - SPLs must use the exact DER INTEGER encodings `02 01 xx` (xx < 0x80) or `02 02 00 xx`
//   (xx >= 0x80): SPLs are bytes, and a lax decoder lets two encodings mean one value.
// - hwID: the raw bytes (current KDS certificates) or a DER OCTET STRING around them (`04 40`
//   ..., also seen); exactly 64 bytes, 8 on Turin.
// - A duplicated extension is an error.
Result<SnpCertExtensions> parse_snp_cert_extensions(const X509* cert);

// The hwID in either encoding -> the bare identifier; exposed for tests and the fuzzer.
Result<std::vector<uint8_t>> decode_snp_hwid(std::span<const uint8_t> value, size_t expected_size);

}  // namespace cw::attest
