// Internal to the protocol library (messages.cpp): strict reading of one flat JSON object.
// Refuses what nlohmann would accept silently: duplicate keys (it keeps the last one), unknown
// fields, deep nesting, and numbers or strings of the wrong kind. Every error is one line
// "<what>: field \"<name>\": <why>"; no untrusted text is echoed except a field name reduced
// to [A-Za-z0-9_.-] (so the "bad base64" phrase of base64.h can only come from the decoder).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::attest::protocol::detail {

using Json = nlohmann::json;

// One JSON object from `body` (at most kMaxBodyBytes), nested at most `max_depth` levels below
// the top object (1: scalar members only; 2: members may be arrays of scalars).
Result<Json> parse_object(std::string_view what, std::string_view body, int max_depth);

// `text` as JSON ("..." with escapes), for bodies we write: invalid UTF-8 is replaced, never thrown.
std::string dump(const Json& value);

class ObjectReader {
public:
    ObjectReader(std::string_view what, const Json& object) : m_what(what), m_object(object) {}

    // Refuses any member not in `allowed`.
    Result<void> allow_only(std::initializer_list<std::string_view> allowed) const;

    Result<std::string> string(std::string_view field) const;
    Result<std::optional<std::string>> optional_string(std::string_view field) const;
    Result<uint32_t> uint32(std::string_view field) const;
    // A 64-lowercase-hex id (session, token).
    Result<std::string> hex_id(std::string_view field) const;
    // Base64 of 1..max_bytes bytes.
    Result<std::vector<uint8_t>> bytes(std::string_view field, size_t max_bytes) const;
    // Base64 of exactly N bytes.
    template <size_t N>
    Result<std::array<uint8_t, N>> fixed_bytes(std::string_view field) const {
        std::vector<uint8_t> raw = CW_TRY(bytes(field, N, true));
        std::array<uint8_t, N> out{};
        std::copy(raw.begin(), raw.end(), out.begin());
        return out;
    }
    // An optional array of at most max_items base64 strings, each 1..max_bytes bytes.
    Result<std::vector<std::vector<uint8_t>>> optional_bytes_array(std::string_view field, size_t max_items,
                                                                  size_t max_bytes) const;

    [[nodiscard]] Error field_error(std::string_view field, const std::string& why) const;

private:
    Result<const Json*> member(std::string_view field) const;
    Result<std::vector<uint8_t>> bytes(std::string_view field, size_t size, bool exact) const;
    Result<std::vector<uint8_t>> decode(std::string_view field, const Json& value, size_t size, bool exact) const;

    std::string m_what;
    const Json& m_object;
};

}  // namespace cw::attest::protocol::detail
