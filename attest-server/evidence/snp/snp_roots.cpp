#include "evidence/snp/snp_roots.h"

#include <array>

#include "evidence/x509/cert.h"

namespace cw::attest {

namespace {

constexpr std::array<SnpPinnedArk, 3> kPinnedArks = {{
    {SnpProduct::Milan, "ARK-Milan", "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD"},
    {SnpProduct::Genoa, "ARK-Genoa", "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1"},
    {SnpProduct::Turin, "ARK-Turin", "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A"},
}};

}  // namespace

std::span<const SnpPinnedArk> snp_pinned_arks() { return kPinnedArks; }

SnpProduct snp_pinned_ark_product(const X509* ark) {
    std::string fingerprint = to_hex_upper(cert_sha256_fingerprint(ark));
    for (const SnpPinnedArk& pinned : kPinnedArks) {
        if (fingerprint == pinned.sha256_hex)
            return pinned.product;
    }
    return SnpProduct::Unknown;
}

}  // namespace cw::attest
