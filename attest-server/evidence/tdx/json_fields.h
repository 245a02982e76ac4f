// Typed, non-throwing access to the fields of Intel PCS collateral JSON (nlohmann::json).
// Every accessor names the missing or mistyped field, so a malformed TCB info says which
// key was wrong instead of surfacing a library exception.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "evidence/tdx/tcb_status.h"
#include "evidence/x509/digest.h"

namespace cw::attest::tdx {

using Json = nlohmann::json;

// Parses a complete JSON text without exceptions; the error says it is not valid JSON.
Result<Json> parse_json(std::string_view text, std::string_view what);

// The member `key` of `object` (which must be an object).
Result<const Json*> member(const Json& object, std::string_view key);
Result<const Json*> array_member(const Json& object, std::string_view key);
Result<std::string> string_member(const Json& object, std::string_view key);
// A non-negative integer no larger than `max`.
Result<uint64_t> uint_member(const Json& object, std::string_view key, uint64_t max);
// An ISO 8601 UTC timestamp "YYYY-MM-DDThh:mm:ssZ" as seconds since the epoch.
Result<int64_t> date_member(const Json& object, std::string_view key);
Result<int64_t> parse_utc_date(std::string_view text);
// The "tcbStatus" member of a TCB level (TCB info and QE identity alike); an unknown
// spelling is an error, never a guess.
Result<TcbStatus> tcb_status_member(const Json& level);

// A hex string of exactly N bytes.
template <size_t N>
Result<std::array<uint8_t, N>> hex_member(const Json& object, std::string_view key) {
    auto text = CW_TRY(string_member(object, key));
    auto bytes = from_hex(text);
    if (!bytes || bytes->size() != N)
        return Error::msg("\"" + std::string(key) + "\" is not " + std::to_string(N) + " bytes of hex");
    std::array<uint8_t, N> out{};
    for (size_t i = 0; i < N; ++i)
        out[i] = (*bytes)[i];
    return out;
}

}  // namespace cw::attest::tdx
