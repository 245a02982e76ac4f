#include "guest-init/snp_cert_table.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

namespace cw::guest {

namespace {

constexpr size_t kEntrySize = 24;
using Guid = std::array<uint8_t, 16>;

// RFC 4122 byte order of the GUID text.
constexpr Guid guid(uint32_t a, uint16_t b, uint16_t c, uint64_t d) {
    Guid g{};
    for (size_t i = 0; i < 4; ++i)
        g[i] = static_cast<uint8_t>(a >> (24 - 8 * i));
    for (size_t i = 0; i < 2; ++i) {
        g[4 + i] = static_cast<uint8_t>(b >> (8 - 8 * i));
        g[6 + i] = static_cast<uint8_t>(c >> (8 - 8 * i));
    }
    for (size_t i = 0; i < 8; ++i)
        g[8 + i] = static_cast<uint8_t>(d >> (56 - 8 * i));
    return g;
}

// The same GUID with its first three fields little-endian (UEFI EFI_GUID in memory).
constexpr Guid mixed_endian(Guid g) {
    std::swap(g[0], g[3]);
    std::swap(g[1], g[2]);
    std::swap(g[4], g[5]);
    std::swap(g[6], g[7]);
    return g;
}

struct KnownGuid {
    SnpCertKind kind;
    Guid bytes;
};
// shared/reference/attestation-facts.md 1.3.
constexpr KnownGuid kKnown[] = {
    {SnpCertKind::Vcek, guid(0x63da758d, 0xe664, 0x4564, 0xadc5f4b93be8accd)},
    {SnpCertKind::Vlek, guid(0xa8074bc2, 0xa25a, 0x483e, 0xaae639c045a0b8a1)},
    {SnpCertKind::Ask, guid(0x4ab7b379, 0xbbac, 0x4fe4, 0xa02f05aef327c782)},
    {SnpCertKind::Ark, guid(0xc0b406a4, 0xa803, 0x4952, 0x97433fb6014cd0ae)},
};

std::optional<SnpCertKind> kind_of(const uint8_t* g) {
    for (const auto& k : kKnown) {
        if (std::memcmp(g, k.bytes.data(), 16) == 0 || std::memcmp(g, mixed_endian(k.bytes).data(), 16) == 0)
            return k.kind;
    }
    return std::nullopt;
}

uint32_t le32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
           static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

const char* snp_cert_kind_name(SnpCertKind kind) {
    switch (kind) {
    case SnpCertKind::Vcek: return "VCEK";
    case SnpCertKind::Vlek: return "VLEK";
    case SnpCertKind::Ask: return "ASK";
    case SnpCertKind::Ark: return "ARK";
    }
    return "?";
}

Result<std::vector<SnpCert>> parse_snp_cert_table(std::span<const uint8_t> blob) {
    std::vector<SnpCert> out;
    if (blob.empty())
        return out;
    if (blob.size() > kMaxSnpCertTableBytes)
        return Error::msg("SNP certificate table: " + std::to_string(blob.size()) + " bytes (at most " +
                          std::to_string(kMaxSnpCertTableBytes) + ")");
    // Find the terminator first: certificate data must not overlap the table itself.
    size_t entries = 0;
    for (;; ++entries) {
        size_t at = entries * kEntrySize;
        if (at + kEntrySize > blob.size())
            return Error::msg("SNP certificate table: no all-zero entry ends the table");
        if (std::all_of(blob.begin() + static_cast<std::ptrdiff_t>(at),
                        blob.begin() + static_cast<std::ptrdiff_t>(at + kEntrySize), [](uint8_t b) { return b == 0; }))
            break;
        if (entries == kMaxSnpCertEntries)
            return Error::msg("SNP certificate table: more than " + std::to_string(kMaxSnpCertEntries) + " entries");
    }
    const uint64_t table_end = (entries + 1) * kEntrySize;
    for (size_t i = 0; i < entries; ++i) {
        const uint8_t* e = blob.data() + i * kEntrySize;
        const uint64_t offset = le32(e + 16);
        const uint64_t length = le32(e + 20);
        std::string where = "SNP certificate table entry " + std::to_string(i);
        if (length == 0 || length > kMaxSnpCertBytes)
            return Error::msg(where + ": length " + std::to_string(length) + " (1 to " +
                              std::to_string(kMaxSnpCertBytes) + ")");
        if (offset < table_end || offset + length > blob.size())
            return Error::msg(where + ": bytes [" + std::to_string(offset) + ", " + std::to_string(offset + length) +
                              ") outside the data after the table [" + std::to_string(table_end) + ", " +
                              std::to_string(blob.size()) + ")");
        auto kind = kind_of(e);
        if (!kind)
            continue;
        for (const auto& seen : out) {
            if (seen.kind == *kind)
                return Error::msg(where + ": a second " + std::string(snp_cert_kind_name(*kind)) + " certificate");
        }
        out.push_back({*kind, std::vector<uint8_t>(blob.begin() + static_cast<std::ptrdiff_t>(offset),
                                                   blob.begin() + static_cast<std::ptrdiff_t>(offset + length))});
    }
    return out;
}

}  // namespace cw::guest
