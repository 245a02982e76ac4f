#include "protocol/json_fields.h"

#include <algorithm>
#include <limits>
#include <set>

#include "protocol/base64.h"
#include "protocol/protocol.h"

namespace cw::attest::protocol::detail {

namespace {

// Thrown from the parser callback to stop parsing; caught in parse_object.
struct Refusal {
    std::string message;
};

// A field name from the body, safe to put in an error line.
std::string shown_name(std::string_view name) {
    constexpr size_t kMaxShown = 32;
    std::string out;
    for (char c : name.substr(0, kMaxShown)) {
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
        out += safe ? c : '?';
    }
    return name.size() > kMaxShown ? out + "..." : out;
}

std::string in_quotes(std::string_view field) { return "\"" + std::string(field) + "\""; }

}  // namespace

Result<Json> parse_object(std::string_view what, std::string_view body, int max_depth) {
    std::string prefix(what);
    if (body.size() > kMaxBodyBytes)
        return Error::msg(prefix + ": " + std::to_string(body.size()) + " bytes is more than the limit of " +
                          std::to_string(kMaxBodyBytes));
    std::vector<std::set<std::string>> keys;  // one set per open object
    auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
        using Event = Json::parse_event_t;
        if (depth > max_depth)
            throw Refusal{"values nested too deeply"};
        if (event == Event::object_start)
            keys.emplace_back();
        if (event == Event::object_end && !keys.empty())
            keys.pop_back();
        if (event == Event::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
            throw Refusal{"duplicate field " + in_quotes(shown_name(parsed.get<std::string>()))};
        return true;
    };
    Json doc;
    try {
        doc = Json::parse(body.begin(), body.end(), check);
    } catch (const Refusal& r) {
        return Error::msg(prefix + ": " + r.message);
    } catch (const Json::parse_error& e) {
        // Not nlohmann's text: it quotes the last token read, which is the client's.
        return Error::msg(prefix + ": not valid JSON (syntax error or invalid UTF-8 at byte " +
                          std::to_string(e.byte) + ")");
    } catch (const Json::exception&) {
        return Error::msg(prefix + ": not valid JSON");
    }
    if (!doc.is_object())
        return Error::msg(prefix + ": expected a JSON object, got " + doc.type_name());
    return doc;
}

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

Error ObjectReader::field_error(std::string_view field, const std::string& why) const {
    return Error::msg(m_what + ": field " + in_quotes(field) + ": " + why);
}

Result<void> ObjectReader::allow_only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : m_object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            return Error::msg(m_what + ": unknown field " + in_quotes(shown_name(key)));
    }
    return {};
}

Result<const Json*> ObjectReader::member(std::string_view field) const {
    auto it = m_object.find(std::string(field));
    if (it == m_object.end())
        return Error::msg(m_what + ": missing field " + in_quotes(field));
    return &*it;
}

Result<std::string> ObjectReader::string(std::string_view field) const {
    const Json* value = CW_TRY(member(field));
    if (!value->is_string())
        return field_error(field, std::string("expected a string, got ") + value->type_name());
    return value->get<std::string>();
}

Result<std::optional<std::string>> ObjectReader::optional_string(std::string_view field) const {
    if (!m_object.contains(std::string(field)))
        return std::optional<std::string>();
    return std::optional<std::string>(CW_TRY(string(field)));
}

Result<uint32_t> ObjectReader::uint32(std::string_view field) const {
    const Json* value = CW_TRY(member(field));
    // nlohmann stores non-negative integers as unsigned; negatives and 1.0 are other kinds.
    if (!value->is_number_unsigned())
        return field_error(field, std::string("expected a non-negative integer, got ") +
                                      (value->is_number() ? "a negative or fractional number" : value->type_name()));
    uint64_t v = value->get<uint64_t>();
    if (v > std::numeric_limits<uint32_t>::max())
        return field_error(field, std::to_string(v) + " is more than " +
                                      std::to_string(std::numeric_limits<uint32_t>::max()));
    return static_cast<uint32_t>(v);
}

Result<std::string> ObjectReader::hex_id(std::string_view field) const {
    std::string id = CW_TRY(string(field));
    if (!valid_hex_id(id))
        return field_error(field, "expected 64 lowercase hex characters");
    return id;
}

Result<std::vector<uint8_t>> ObjectReader::decode(std::string_view field, const Json& value, size_t size,
                                                  bool exact) const {
    if (!value.is_string())
        return field_error(field, std::string("expected a base64 string, got ") + value.type_name());
    // Decoded against the body limit first, so a wrong size is reported as "got N" (a
    // bad_request), apart from text that is not base64 at all (bad_base64).
    auto bytes = base64_decode(value.get_ref<const std::string&>(), kMaxBodyBytes);
    if (!bytes.ok())
        return field_error(field, bytes.error().message());
    if (exact && bytes->size() != size)
        return field_error(field, "expected " + std::to_string(size) + " bytes, got " + std::to_string(bytes->size()));
    if (!exact && bytes->empty())
        return field_error(field, "empty");
    if (!exact && bytes->size() > size)
        return field_error(field, std::to_string(bytes->size()) + " bytes is more than the limit of " +
                                      std::to_string(size));
    return std::move(bytes).value();
}

Result<std::vector<uint8_t>> ObjectReader::bytes(std::string_view field, size_t size, bool exact) const {
    const Json* value = CW_TRY(member(field));
    return decode(field, *value, size, exact);
}

Result<std::vector<uint8_t>> ObjectReader::bytes(std::string_view field, size_t max_bytes) const {
    return bytes(field, max_bytes, false);
}

Result<std::vector<std::vector<uint8_t>>> ObjectReader::optional_bytes_array(std::string_view field,
                                                                           size_t max_items,
                                                                           size_t max_bytes) const {
    std::vector<std::vector<uint8_t>> out;
    if (!m_object.contains(std::string(field)))
        return out;
    const Json* value = CW_TRY(member(field));
    if (!value->is_array())
        return field_error(field, std::string("expected an array, got ") + value->type_name());
    if (value->size() > max_items)
        return field_error(field, std::to_string(value->size()) + " entries, at most " + std::to_string(max_items) +
                                      " allowed");
    for (size_t i = 0; i < value->size(); ++i) {
        std::string element = std::string(field) + "[" + std::to_string(i) + "]";
        out.push_back(CW_TRY(decode(element, (*value)[i], max_bytes, false)));
    }
    return out;
}

}  // namespace cw::attest::protocol::detail
