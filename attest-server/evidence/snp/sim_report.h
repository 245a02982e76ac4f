// The simulated TEE ("sim"), for development on machines without SEV-SNP or TDX.
//
// IT PROTECTS NOTHING. A sim report is an SNP-layout report signed by a key the VMM host holds
// in a PEM file: whoever has that key (the host, i.e. exactly the party a confidential VM must
// not trust) can forge any measurement. Guest memory is not encrypted either. It exists only so
// the attestation flow can run end to end here; the server accepts it only when started with an
// explicit option naming the public key, and never by default.
//
// Layout: the 1184-byte SNP report (snp_report.h), version 3, SIGNATURE_ALGO 1, signed over
// 0x000-0x29F with ECDSA P-384/SHA-384 (R/S little-endian, as SNP). Fields: POLICY 0x30000
// (DEBUG off), VMPL 0, KEY_INFO 0, all TCB fields and CPUID zero (product unknown), and
// CHIP_ID carrying kSimChipIdMarker so a sim report can never be mistaken for hardware
// evidence by a reader (and a verifier requires it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "evidence/snp/snp_report.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

inline constexpr std::string_view kSimChipIdMarker = "CW-SIMULATED-TEE: not hardware evidence, protects nothing";
inline constexpr uint32_t kSimReportVersion = 3;
inline constexpr uint64_t kSimPolicy = 0x30000;  // SMT allowed, reserved bit 17, DEBUG off

struct SimReportInput {
    std::array<uint8_t, 48> measurement{};
    std::array<uint8_t, 64> report_data{};
    std::array<uint8_t, 32> host_data{};
    uint32_t guest_svn = 0;
};

using SnpReportBytes = std::array<uint8_t, kSnpReportSize>;

// Builds and signs a sim report with the host's P-384 private key.
Result<SnpReportBytes> create_sim_report(const SimReportInput& input, const EVP_PKEY* host_private_key);

// CHIP_ID carries exactly kSimChipIdMarker (zero-padded) and SIGNING_KEY is 0: the report claims
// to be sim evidence. Says nothing about who signed it.
bool has_sim_marker(const SnpReport& report);

// Parses (same checks as real reports), requires the sim marker and SIGNING_KEY 0, and verifies
// the signature against the explicitly configured host public key. No certificate chain: the
// key is trusted because the operator named it, nothing more. DEBUG, VMPL and measurement are
// left to evaluate_snp_policy (product Unknown), exactly as for hardware reports.
Result<SnpReport> verify_sim_report(std::span<const uint8_t> bytes, const EVP_PKEY* host_public_key);

}  // namespace cw::attest
