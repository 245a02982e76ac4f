// The TEE a piece of evidence claims to come from, by its protocol name ("snp", "tdx", "sim").
// Stands in for cw::attest::protocol::Tee until the two are unified.
#pragma once

#include <optional>
#include <string_view>

namespace cw::attest::policy {

enum class TeeKind { Snp, Tdx, Sim };

std::string_view tee_kind_name(TeeKind tee);
// nullopt for any other spelling (names are case-sensitive, as in the protocol).
std::optional<TeeKind> parse_tee_kind(std::string_view name);

}  // namespace cw::attest::policy
