#include "collateral/tdx_collateral_dir.h"

#include <nlohmann/json.hpp>

#include "evidence/x509/cert.h"

namespace cw::attest::collateral {

namespace {

std::string as_string(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

void take_json(const CollateralFile& file, TdxCollateral& c, std::vector<std::string>& used,
               std::vector<std::string>& ignored) {
    auto doc = nlohmann::json::parse(file.bytes.begin(), file.bytes.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        ignored.push_back(file.path + ": not a JSON object");
    } else if (doc.contains("tcbInfo")) {
        c.tcb_infos.push_back(as_string(file.bytes));
        used.push_back(file.path);
    } else if (doc.contains("enclaveIdentity") && c.qe_identity.empty()) {
        c.qe_identity = as_string(file.bytes);
        used.push_back(file.path);
    } else {
        ignored.push_back(file.path + ": not a TCB info or (first) QE identity document");
    }
}

}  // namespace

TdxCollateral tdx_collateral_from(const CollateralDir& dir, std::vector<std::string>& used,
                                  std::vector<std::string>& ignored) {
    TdxCollateral c;
    for (const auto& file : dir.files) {
        if (file.kind == CollateralKind::Json) {
            take_json(file, c, used, ignored);
        } else if (file.kind == CollateralKind::Certificates) {
            if (subject_cn(file.certs.front().get()) == "Intel SGX TCB Signing" && c.tcb_info_issuer_chain.empty()) {
                c.tcb_info_issuer_chain = as_string(file.bytes);
                used.push_back(file.path);
            } else {
                ignored.push_back(file.path + ": certificates not used (the PCK chain comes from the quote, the root is pinned)");
            }
        } else {
            std::string issuer = crl_issuer_cn(file.crl.get());
            if (issuer == "Intel SGX Root CA" && c.root_ca_crl.empty()) {
                c.root_ca_crl = file.bytes;
                used.push_back(file.path);
            } else if (issuer.starts_with("Intel SGX PCK") && c.pck_crl.empty()) {
                c.pck_crl = file.bytes;
                used.push_back(file.path);
            } else {
                ignored.push_back(file.path + ": CRL from '" + issuer + "' not used");
            }
        }
    }
    return c;
}

}  // namespace cw::attest::collateral
