// The SEV-SNP certificate table: what the host attaches to an extended report
// (SNP_GET_EXT_REPORT, or configfs-tsm's `auxblob` with provider "sev_guest"). GHCB spec,
// "SNP Extended Guest Request": entries of { GUID (16 bytes), offset (u32 LE), length
// (u32 LE) }, ended by an all-zero entry; offsets count from the start of the table.
//
// Trust: none, the host writes this table. The certificates are only forwarded to the
// attestation server, which verifies the chain against its pinned AMD roots; this parser
// only has to be memory-safe, bounded, and not let one entry stand for another.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"

namespace cw::guest {

enum class SnpCertKind { Vcek, Vlek, Ask, Ark };

struct SnpCert {
    SnpCertKind kind;
    std::vector<uint8_t> der;
};

inline constexpr size_t kMaxSnpCertTableBytes = 64 * 1024;
inline constexpr size_t kMaxSnpCertEntries = 16;
inline constexpr size_t kMaxSnpCertBytes = 16 * 1024;  // the protocol's per-certificate limit

// The known certificates, in table order. An empty blob (no certificates provisioned) is
// an empty list. Unknown GUIDs (e.g. a CRL) are skipped; a known GUID twice is refused.
// GUIDs match in RFC 4122 byte order (AMD's tools, virtee/sev) or the UEFI mixed-endian order.
Result<std::vector<SnpCert>> parse_snp_cert_table(std::span<const uint8_t> blob);

const char* snp_cert_kind_name(SnpCertKind kind);

}  // namespace cw::guest
