#include "collateral/snp_chain_select.h"

#include <algorithm>

#include "evidence/snp/snp_cert_ext.h"
#include "evidence/x509/cert.h"

namespace cw::attest::collateral {

namespace {

enum class Role { Leaf, Intermediate, Ark, Other };

Role role_of(const X509* cert) {
    std::string cn = subject_cn(cert);
    if (cn == "SEV-VCEK" || cn == "SEV-VLEK")
        return Role::Leaf;
    if (cn.starts_with("ARK-"))
        return Role::Ark;
    if (cn.starts_with("SEV-"))
        return Role::Intermediate;
    return Role::Other;
}

bool issued_by(const X509* child, const X509* parent) {
    return X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) == 0;
}

// Higher is better; 0 for a leaf that fits nothing about the report.
int leaf_score(const X509* cert, const std::optional<SnpReport>& report) {
    if (!report)
        return 0;
    bool is_vlek = subject_cn(cert) == "SEV-VLEK";
    bool wants_vlek = report->signing_key == SnpSigningKey::Vlek;
    if (is_vlek != wants_vlek)
        return 0;
    if (is_vlek)
        return 2;
    auto ext = parse_snp_cert_extensions(cert);
    if (!ext.ok() || ext->hwid.empty() || ext->hwid.size() > report->wire.chip_id.size())
        return 1;
    bool chip_matches = std::equal(ext->hwid.begin(), ext->hwid.end(), report->wire.chip_id.begin());
    return chip_matches ? 2 : 1;
}

// The best candidate of `role` by `score` (ties: the first given), or nullptr.
template <class Score>
const SnpCertCandidate* best(const std::vector<SnpCertCandidate>& pool, Role role, Score score) {
    const SnpCertCandidate* chosen = nullptr;
    int chosen_score = -1;
    for (const auto& candidate : pool) {
        if (role_of(candidate.cert) != role)
            continue;
        int s = score(candidate.cert);
        if (s > chosen_score) {
            chosen = &candidate;
            chosen_score = s;
        }
    }
    return chosen;
}

}  // namespace

SelectedSnpChain select_snp_chain(const std::vector<SnpCertCandidate>& pool, const std::optional<SnpReport>& report) {
    SelectedSnpChain out;
    const auto* leaf = best(pool, Role::Leaf, [&](const X509* c) { return leaf_score(c, report); });
    const auto* intermediate = best(pool, Role::Intermediate, [&](const X509* c) {
        return leaf != nullptr && issued_by(leaf->cert, c) ? 1 : 0;
    });
    const auto* ark = best(pool, Role::Ark, [&](const X509* c) {
        return intermediate != nullptr && issued_by(intermediate->cert, c) ? 1 : 0;
    });
    if (leaf != nullptr) {
        out.chain.leaf = leaf->cert;
        out.chain.leaf_slot = subject_cn(leaf->cert) == "SEV-VLEK" ? SnpLeafKind::Vlek : SnpLeafKind::Vcek;
        out.leaf_source = leaf->source;
    }
    if (intermediate != nullptr) {
        out.chain.intermediate = intermediate->cert;
        out.intermediate_source = intermediate->source;
    }
    if (ark != nullptr) {
        out.chain.ark = ark->cert;
        out.ark_source = ark->source;
    }
    return out;
}

}  // namespace cw::attest::collateral
