#include "policy/tee_kind.h"

namespace cw::attest::policy {

std::string_view tee_kind_name(TeeKind tee) {
    switch (tee) {
    case TeeKind::Snp: return "snp";
    case TeeKind::Tdx: return "tdx";
    case TeeKind::Sim: return "sim";
    }
    return "unknown";
}

std::optional<TeeKind> parse_tee_kind(std::string_view name) {
    for (TeeKind tee : {TeeKind::Snp, TeeKind::Tdx, TeeKind::Sim})
        if (name == tee_kind_name(tee))
            return tee;
    return std::nullopt;
}

}  // namespace cw::attest::policy
