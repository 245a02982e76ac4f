// Parsing of Intel TDX DCAP quotes (v4, and v5 with body types 2 and 3). Parsing checks
// structure only: nothing here is trusted until tdx_verify.h has checked the signatures.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "evidence/tdx/tdx_quote_layout.h"

namespace cw::attest {

// Inputs larger than this are refused before parsing: a real quote with its PCK chain is ~5 KB.
inline constexpr size_t kMaxTdxQuoteSize = 64 * 1024;

// The TDX 1.5 additions of body type 3.
struct TdxBody15Extension {
    std::array<uint8_t, 16> tee_tcb_svn2{};
    std::array<uint8_t, 48> mrservicetd{};
};

struct TdxQuote {
    tdx_wire::QuoteHeader header{};
    uint16_t body_type = 0;                             // 2 (TDX 1.0) or 3 (TDX 1.5); v4 is always 2
    tdx_wire::TdReportBody10 body{};                    // common to both body types
    std::optional<TdxBody15Extension> body15;           // present for body type 3
    std::vector<uint8_t> signed_region;                 // header (+ v5 descriptor) + body
    std::array<uint8_t, 64> signature{};                // ECDSA P-256 r || s over signed_region
    std::array<uint8_t, 64> attestation_key{};          // P-256 x || y
    tdx_wire::SgxReportBody qe_report{};                // decoded QE report
    std::array<uint8_t, 384> qe_report_bytes{};         // the exact bytes the PCK key signed
    std::array<uint8_t, 64> qe_report_signature{};      // r || s by the PCK leaf key
    std::vector<uint8_t> qe_auth_data;
    std::string pck_chain_pem;                          // type-5 data with trailing NULs removed
    size_t quote_size = 0;                              // bytes covered by the length fields
    // Bytes after the quote's end. Tolerated and reported (see parse_tdx_quote): they are
    // neither signed nor read by verification.
    size_t trailing_bytes = 0;
    bool trailing_all_zero = true;

    [[nodiscard]] uint64_t td_attributes() const;
    [[nodiscard]] uint64_t xfam() const;
    [[nodiscard]] bool debug() const { return (td_attributes() & tdx_wire::kTdAttributeDebug) != 0; }
};

// Header checks alone (version 4 or 5, ECDSA P-256 key, TDX TEE type), so a caller can tell
// "not a quote we verify" from "a broken quote".
Result<void> check_tdx_quote_header(const tdx_wire::QuoteHeader& header);

// Parses a quote by its length fields: version 4 or 5, ECDSA P-256 key type, TDX TEE type,
// body type 2 or 3 with the matching size, signature data whose certification data is type 6
// (QE report) containing type 5 (PEM PCK chain), with every nested length consistent with the
// enclosing one. Bytes after the signature data are tolerated and counted in trailing_bytes
// (upstream fixtures carry text there; buffers from the kernel carry zero padding): they are
// outside the signed region, and a policy may refuse them.
Result<TdxQuote> parse_tdx_quote(std::span<const uint8_t> bytes);

}  // namespace cw::attest
