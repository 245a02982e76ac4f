#include "evidence/tdx/signed_json.h"

#include <optional>
#include <string>

#include "evidence/tdx/json_fields.h"

namespace cw::attest {

namespace {

// Finds the extents of JSON tokens without interpreting them. Only the top-level object is
// walked member by member; values are skipped by tracking strings and bracket depth.
class Scanner {
public:
    explicit Scanner(std::string_view text) : m_s(text) {}

    [[nodiscard]] size_t pos() const { return m_pos; }
    [[nodiscard]] bool at_end() { return skip_ws() == m_s.size(); }

    size_t skip_ws() {
        while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
            ++m_pos;
        return m_pos;
    }

    Result<void> expect(char c) {
        skip_ws();
        if (m_pos >= m_s.size() || m_s[m_pos] != c)
            return Error::msg(std::string("expected '") + c + "' at offset " + std::to_string(m_pos));
        ++m_pos;
        return {};
    }

    // A string token; returns its raw contents (escapes not decoded).
    Result<std::string_view> string() {
        skip_ws();
        const size_t start = m_pos;
        CW_TRY(expect('"'));
        while (m_pos < m_s.size()) {
            const auto c = static_cast<unsigned char>(m_s[m_pos]);
            if (c == '"') {
                ++m_pos;
                return m_s.substr(start + 1, m_pos - start - 2);
            }
            if (c < 0x20)
                return Error::msg("control character in a string at offset " + std::to_string(m_pos));
            m_pos += c == '\\' ? 2 : 1;
        }
        return Error::msg("unterminated string starting at offset " + std::to_string(start));
    }

    // Skips one value and returns its raw text.
    Result<std::string_view> value() {
        const size_t start = skip_ws();
        if (m_pos >= m_s.size())
            return Error::msg("missing value at offset " + std::to_string(m_pos));
        const char first = m_s[m_pos];
        if (first == '"') {
            CW_TRY(string());
        } else if (first == '{' || first == '[') {
            CW_TRY(container());
        } else {
            while (m_pos < m_s.size() && std::string_view(",}] \t\r\n").find(m_s[m_pos]) == std::string_view::npos)
                ++m_pos;
            if (m_pos == start)
                return Error::msg("unexpected character at offset " + std::to_string(m_pos));
        }
        return m_s.substr(start, m_pos - start);
    }

private:
    Result<void> container() {
        size_t depth = 0;
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos];
            if (c == '"') {
                CW_TRY(string());
                continue;
            }
            ++m_pos;
            if (c == '{' || c == '[') {
                if (++depth > kMaxCollateralJsonDepth)
                    return Error::msg("nesting deeper than " + std::to_string(kMaxCollateralJsonDepth) + " levels");
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return {};
            }
        }
        return Error::msg("unterminated object or array");
    }

    std::string_view m_s;
    size_t m_pos = 0;
};

Result<std::array<uint8_t, 64>> decode_signature(std::string_view raw_value) {
    auto json = CW_TRY(tdx::parse_json(raw_value, "\"signature\""));
    if (!json.is_string())
        return Error::msg("\"signature\" is not a string");
    auto bytes = from_hex(json.get_ref<const std::string&>());
    if (!bytes || bytes->size() != 64)
        return Error::msg("\"signature\" is not 128 hex digits (ECDSA P-256 r || s)");
    std::array<uint8_t, 64> out{};
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = (*bytes)[i];
    return out;
}

Result<SignedJson> split(std::string_view document, std::string_view body_key) {
    Scanner scan(document);
    CW_TRY(scan.expect('{'));
    std::optional<std::string_view> body;
    std::optional<std::string_view> signature;
    for (;;) {
        auto key = CW_TRY(scan.string());
        CW_TRY(scan.expect(':'));
        auto value = CW_TRY(scan.value());
        std::optional<std::string_view>* slot = key == body_key ? &body : key == "signature" ? &signature : nullptr;
        if (slot == nullptr)
            return Error::msg("unexpected member \"" + std::string(key.substr(0, 64)) + "\"");
        if (slot->has_value())
            return Error::msg("member \"" + std::string(key) + "\" appears twice");
        *slot = value;
        scan.skip_ws();
        if (scan.pos() < document.size() && document[scan.pos()] == ',') {
            CW_TRY(scan.expect(','));
            continue;
        }
        CW_TRY(scan.expect('}'));
        break;
    }
    if (!scan.at_end())
        return Error::msg("bytes after the top-level object at offset " + std::to_string(scan.pos()));
    if (!body || !signature)
        return Error::msg("needs both \"" + std::string(body_key) + "\" and \"signature\"");
    // The whole document must be valid JSON too, so the extents found above are a JSON
    // parser's extents (the structural scan alone accepts some malformed text).
    CW_TRY(tdx::parse_json(document, "document"));
    return SignedJson{*body, CW_TRY(decode_signature(*signature))};
}

}  // namespace

Result<SignedJson> split_signed_json(std::string_view document, std::string_view body_key) {
    if (document.size() > kMaxCollateralJsonSize)
        return Error::msg(std::string(body_key) + " document of " + std::to_string(document.size()) +
                          " bytes exceeds the " + std::to_string(kMaxCollateralJsonSize) + "-byte limit");
    return split(document, body_key).context(std::string(body_key) + " document");
}

}  // namespace cw::attest
