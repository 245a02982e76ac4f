#include "policy/server_collateral.h"

#include "collateral/tdx_collateral_dir.h"

namespace cw::attest::policy {

Result<std::shared_ptr<const Collateral>> load_collateral(const std::string& dir) {
    auto out = std::make_shared<Collateral>();
    out->dir = CW_TRY(collateral::scan_collateral_dir(dir).context("collateral"));
    out->unusable = out->dir.ignored;
    // Each TEE's reader lists the other TEE's files as "not mine": only files neither can
    // classify are worth reporting, and those are already in `unusable`.
    std::vector<std::string> not_snp;
    std::vector<std::string> not_tdx;
    out->snp = collateral::snp_collateral_from(out->dir, not_snp);
    out->tdx = collateral::tdx_collateral_from(out->dir, out->tdx_used, not_tdx);
    return std::shared_ptr<const Collateral>(std::move(out));
}

}  // namespace cw::attest::policy
