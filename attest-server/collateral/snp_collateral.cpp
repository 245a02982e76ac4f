#include "collateral/snp_collateral.h"

namespace cw::attest::collateral {

SnpCollateral snp_collateral_from(const CollateralDir& dir, std::vector<std::string>& ignored) {
    SnpCollateral out;
    for (const auto& file : dir.files) {
        if (file.kind == CollateralKind::Certificates) {
            for (const auto& cert : file.certs)
                out.certs.push_back({cert.get(), file.path});
        } else if (file.kind == CollateralKind::Crl && crl_issuer_cn(file.crl.get()).starts_with("ARK-")) {
            out.crls.push_back(file.crl.get());
            out.crl_sources.push_back(file.path);
        } else {
            ignored.push_back(file.path + ": not SEV-SNP collateral");
        }
    }
    return out;
}

}  // namespace cw::attest::collateral
