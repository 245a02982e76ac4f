#include "evidence/snp/snp_tcb.h"

#include <string>

namespace cw::attest {

std::string_view snp_product_name(SnpProduct product) {
    switch (product) {
    case SnpProduct::Milan: return "Milan";
    case SnpProduct::Genoa: return "Genoa";
    case SnpProduct::Turin: return "Turin";
    case SnpProduct::Unknown: break;
    }
    return "unknown";
}

SnpProduct snp_product_from_cpuid(uint8_t family, uint8_t model) {
    if (family == 0x19 && model <= 0x0F)
        return SnpProduct::Milan;
    if (family == 0x19 && ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF)))
        return SnpProduct::Genoa;
    if (family == 0x1A && model <= 0x11)
        return SnpProduct::Turin;
    return SnpProduct::Unknown;
}

SnpProduct snp_product_from_cert_name(std::string_view name) {
    std::string_view base = name.substr(0, name.find('-'));
    for (SnpProduct product : {SnpProduct::Milan, SnpProduct::Genoa, SnpProduct::Turin}) {
        if (base == snp_product_name(product))
            return product;
    }
    return SnpProduct::Unknown;
}

namespace {

uint8_t byte_of(uint64_t raw, unsigned index) { return static_cast<uint8_t>(raw >> (8 * index)); }

uint64_t at_byte(uint8_t value, unsigned index) { return static_cast<uint64_t>(value) << (8 * index); }

}  // namespace

Result<SnpTcb> decode_snp_tcb(uint64_t raw, SnpProduct product) {
    switch (product) {
    case SnpProduct::Milan:
    case SnpProduct::Genoa:
        return SnpTcb{.fmc = 0, .boot_loader = byte_of(raw, 0), .tee = byte_of(raw, 1), .snp = byte_of(raw, 6),
                      .microcode = byte_of(raw, 7)};
    case SnpProduct::Turin:
        return SnpTcb{.fmc = byte_of(raw, 0), .boot_loader = byte_of(raw, 1), .tee = byte_of(raw, 2),
                      .snp = byte_of(raw, 3), .microcode = byte_of(raw, 7)};
    case SnpProduct::Unknown: break;
    }
    return Error::msg("TCB_VERSION: product unknown, cannot tell which byte is which component");
}

Result<uint64_t> encode_snp_tcb(const SnpTcb& tcb, SnpProduct product) {
    switch (product) {
    case SnpProduct::Milan:
    case SnpProduct::Genoa:
        if (tcb.fmc != 0)
            return Error::msg("TCB_VERSION: " + std::string(snp_product_name(product)) + " has no FMC component");
        return at_byte(tcb.boot_loader, 0) | at_byte(tcb.tee, 1) | at_byte(tcb.snp, 6) | at_byte(tcb.microcode, 7);
    case SnpProduct::Turin:
        return at_byte(tcb.fmc, 0) | at_byte(tcb.boot_loader, 1) | at_byte(tcb.tee, 2) | at_byte(tcb.snp, 3) |
               at_byte(tcb.microcode, 7);
    case SnpProduct::Unknown: break;
    }
    return Error::msg("TCB_VERSION: product unknown");
}

bool snp_tcb_at_least(const SnpTcb& tcb, const SnpTcb& minimum) {
    return tcb.fmc >= minimum.fmc && tcb.boot_loader >= minimum.boot_loader && tcb.tee >= minimum.tee &&
           tcb.snp >= minimum.snp && tcb.microcode >= minimum.microcode;
}

}  // namespace cw::attest
