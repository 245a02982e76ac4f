// SEV-SNP products and the TCB_VERSION encoding, which differs per product.
// Source: attestation-facts 1.2 (AMD SEV-SNP Firmware ABI 56860 "TCB_VERSION"; VSEV
// `from_turin_bytes`; trustee's CPUID -> product mapping).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace cw::attest {

enum class SnpProduct { Unknown, Milan, Genoa, Turin };

// "Milan", "Genoa", "Turin", "unknown": the KDS path segment.
std::string_view snp_product_name(SnpProduct product);

// From the report's CPUID_FAM_ID / CPUID_MOD_ID (version 3 and later). Family 0x19 model
// 0x00-0x0F Milan, 0x10-0x1F and 0xA0-0xAF Genoa; family 0x1A model 0x00-0x11 Turin.
SnpProduct snp_product_from_cpuid(uint8_t family, uint8_t model);

// From a VCEK/VLEK product-name extension: "Milan-B0" -> Milan (the stepping suffix after '-'
// is ignored), "Genoa", "Turin". Anything else is Unknown.
SnpProduct snp_product_from_cert_name(std::string_view name);

// One decoded TCB_VERSION. `fmc` exists on Turin only (0 elsewhere).
struct SnpTcb {
    uint8_t fmc = 0;
    uint8_t boot_loader = 0;
    uint8_t tee = 0;
    uint8_t snp = 0;
    uint8_t microcode = 0;
    bool operator==(const SnpTcb&) const = default;
};

// Milan/Genoa: byte0 BOOT_LOADER, byte1 TEE, bytes 2-5 reserved, byte6 SNP, byte7 MICROCODE.
// Turin: byte0 FMC, byte1 BOOT_LOADER, byte2 TEE, byte3 SNP, bytes 4-6 reserved, byte7 MICROCODE.
// Bytes are of the little-endian u64 as stored in the report. Unknown product is an error:
// guessing the layout would compare the wrong components.
Result<SnpTcb> decode_snp_tcb(uint64_t raw, SnpProduct product);
Result<uint64_t> encode_snp_tcb(const SnpTcb& tcb, SnpProduct product);

// True when every component of `tcb` is >= the same component of `minimum` (a component-wise
// order: TCB versions are not totally ordered).
bool snp_tcb_at_least(const SnpTcb& tcb, const SnpTcb& minimum);

}  // namespace cw::attest
