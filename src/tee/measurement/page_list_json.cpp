#include "tee/measurement/page_list_json.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "base/mapped_file.h"
#include "tee/measurement/page_list.h"

namespace cw::tee {

namespace {

using Json = nlohmann::json;

// Thrown from the parser callback to stop parsing; caught in parse_dom.
struct Refusal {
    std::string message;
};

// A JSON string for an error message: escaped (one line whatever it holds) and truncated.
std::string json_quoted(const std::string& s) {
    constexpr size_t kMax = 64;
    std::string shown = Json(s.substr(0, kMax)).dump(-1, ' ', false, Json::error_handler_t::replace);
    return s.size() > kMax ? shown + "..." : shown;
}

std::string entry_prefix(size_t index) { return "entry " + std::to_string(index); }

// Parses `text`, refusing what nlohmann would otherwise accept silently or expensively:
// nesting deeper than an array of flat objects, and duplicate keys (it keeps the last one).
Result<Json> parse_dom(std::string_view text) {
    if (text.size() > kMaxPageListJsonBytes)
        return Error::msg(std::to_string(text.size()) + " bytes of JSON is more than the limit of " +
                          std::to_string(kMaxPageListJsonBytes));
    // nlohmann's depth: 0 for the top-level value, 1 for array elements, 2 for their members.
    constexpr int kMaxDepth = 2;
    size_t entries_seen = 0;
    std::vector<std::set<std::string>> keys;  // one set per open object
    auto where = [&] { return entries_seen > 0 ? entry_prefix(entries_seen - 1) + ": " : std::string(); };
    auto check = [&](int depth, Json::parse_event_t event, Json& parsed) {
        using Event = Json::parse_event_t;
        if (depth > kMaxDepth)
            throw Refusal{where() + "values nested deeper than an array of flat objects"};
        if (depth == 1 && (event == Event::object_start || event == Event::array_start || event == Event::value))
            ++entries_seen;
        if (entries_seen > kMaxPageListEntries)
            throw Refusal{"more than " + std::to_string(kMaxPageListEntries) + " entries"};
        if (event == Event::object_start)
            keys.emplace_back();
        if (event == Event::object_end && !keys.empty())
            keys.pop_back();
        if (event == Event::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
            throw Refusal{where() + "duplicate key " + json_quoted(parsed.get<std::string>())};
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), check);
    } catch (const Refusal& r) {
        return Error::msg(r.message);
    } catch (const Json::exception& e) {
        // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep line and column.
        std::string what = e.what();
        size_t tag_end = what.find("] ");
        return Error::msg("not valid JSON: " + (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
    }
}

// The entries of the top-level array; each must be an object with only `allowed` keys.
Result<const Json::array_t*> entries_of(const Json& doc, std::span<const std::string_view> allowed) {
    if (!doc.is_array())
        return Error::msg(std::string("expected a JSON array of entries, got ") + doc.type_name());
    const auto& entries = doc.get_ref<const Json::array_t&>();
    for (size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].is_object())
            return Error::msg(entry_prefix(i) + ": expected an object, got " + entries[i].type_name());
        for (const auto& [key, value] : entries[i].items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                std::string names;
                for (auto name : allowed)
                    names += (names.empty() ? "" : ", ") + std::string(name);
                return Error::msg(entry_prefix(i) + ": unknown key " + json_quoted(key) + " (allowed: " + names + ")");
            }
        }
    }
    return &entries;
}

// A member that must be a string; nullopt when absent.
Result<std::optional<std::string>> string_member(const Json& entry, const char* key) {
    auto it = entry.find(key);
    if (it == entry.end())
        return std::optional<std::string>();
    if (!it->is_string())
        return Error::msg(std::string("\"") + key + "\" must be a string, got " + it->type_name());
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string(const Json& entry, const char* key) {
    auto value = CW_TRY(string_member(entry, key));
    if (!value)
        return Error::msg(std::string("missing \"") + key + "\"");
    return std::move(*value);
}

// "0x" and 1 to 16 hex digits, either case.
Result<uint64_t> parse_gpa(const Json& entry, uint64_t alignment, const char* alignment_name) {
    std::string text = CW_TRY(required_string(entry, "gpa"));
    bool well_formed = text.size() > 2 && text.size() <= 18 && text.starts_with("0x");
    uint64_t gpa = 0;
    for (size_t i = 2; well_formed && i < text.size(); ++i) {
        char c = text[i];
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        well_formed = digit >= 0;
        gpa = gpa << 4 | static_cast<uint64_t>(digit & 0xf);
    }
    if (!well_formed)
        return Error::msg("gpa " + json_quoted(text) + " is not a hex string like \"0x100000\" (0x and 1-16 hex digits)");
    if (gpa % alignment != 0)
        return Error::msg("gpa " + hex(gpa) + " is not " + alignment_name + " aligned");
    return gpa;
}

// "file" present exactly when `wanted`, and then a usable path.
Result<std::string> parse_file(const Json& entry, bool wanted, const std::string& what) {
    auto file = CW_TRY(string_member(entry, "file"));
    if (!wanted && file)
        return Error::msg(what + " takes no \"file\": its contents are not measured");
    if (!wanted)
        return std::string();
    if (!file)
        return Error::msg(what + " needs a \"file\" with its contents");
    if (file->empty() || file->find('\0') != std::string::npos)
        return Error::msg("\"file\" " + json_quoted(*file) + " is not a usable path");
    return std::move(*file);
}

struct SnpTypeName {
    std::string_view name;
    SnpPageType type;
};
constexpr std::array kSnpTypeNames{
    SnpTypeName{"normal", SnpPageType::Normal},   SnpTypeName{"vmsa", SnpPageType::Vmsa},
    SnpTypeName{"zero", SnpPageType::Zero},       SnpTypeName{"unmeasured", SnpPageType::Unmeasured},
    SnpTypeName{"secrets", SnpPageType::Secrets}, SnpTypeName{"cpuid", SnpPageType::Cpuid},
};

Result<SnpPageEntry> parse_snp_entry(const Json& entry) {
    std::string name = CW_TRY(required_string(entry, "type"));
    auto known = std::find_if(kSnpTypeNames.begin(), kSnpTypeNames.end(), [&](const auto& t) { return t.name == name; });
    if (known == kSnpTypeNames.end())
        return Error::msg("unknown type " + json_quoted(name) + " (expected normal, vmsa, zero, unmeasured, secrets or cpuid)");
    uint64_t gpa = CW_TRY(parse_gpa(entry, kSnpPageSize, "4 KiB"));
    std::string file = CW_TRY(parse_file(entry, snp_page_type_has_contents(known->type), "a " + name + " page"));
    return SnpPageEntry{known->type, gpa, std::move(file)};
}

Result<TdxOpEntry> parse_tdx_entry(const Json& entry) {
    std::string name = CW_TRY(required_string(entry, "op"));
    if (name != "add" && name != "extend")
        return Error::msg("unknown op " + json_quoted(name) + " (expected add or extend)");
    bool add = name == "add";
    uint64_t gpa = CW_TRY(add ? parse_gpa(entry, kTdxPageSize, "4 KiB") : parse_gpa(entry, kTdxExtendChunkSize, "256-byte"));
    std::string file = CW_TRY(parse_file(entry, !add, "an " + name + " operation"));
    return TdxOpEntry{add ? TdxOpKind::Add : TdxOpKind::Extend, gpa, std::move(file)};
}

template <class Entry, class ParseOne>
Result<std::vector<Entry>> parse_list(std::string_view json, std::span<const std::string_view> allowed, ParseOne parse_one) {
    Json doc = CW_TRY(parse_dom(json));
    const Json::array_t* entries = CW_TRY(entries_of(doc, allowed));
    std::vector<Entry> out;
    out.reserve(entries->size());
    for (size_t i = 0; i < entries->size(); ++i)
        out.push_back(CW_TRY(parse_one((*entries)[i]).context(entry_prefix(i))));
    return out;
}

// Reads an entry's file against the list-wide byte budget.
Result<std::vector<uint8_t>> read_entry_file(const std::string& file, const std::string& base_dir,
                                             const PageFileReader& read, uint64_t& budget) {
    std::filesystem::path path(file);
    if (path.is_relative() && !base_dir.empty())
        path = std::filesystem::path(base_dir) / path;
    std::vector<uint8_t> bytes = CW_TRY(read(path.string(), kMaxPageListFileBytes));
    if (bytes.size() > budget)
        return Error::msg("the files of the list add up to more than the limit of " +
                          std::to_string(kMaxPageListTotalFileBytes) + " bytes");
    budget -= bytes.size();
    return bytes;
}

}  // namespace

Result<std::vector<SnpPageEntry>> parse_snp_page_list(std::string_view json) {
    static constexpr std::array<std::string_view, 3> kKeys{"type", "gpa", "file"};
    return parse_list<SnpPageEntry>(json, kKeys, parse_snp_entry);
}

Result<std::vector<TdxOpEntry>> parse_tdx_op_list(std::string_view json) {
    static constexpr std::array<std::string_view, 3> kKeys{"op", "gpa", "file"};
    return parse_list<TdxOpEntry>(json, kKeys, parse_tdx_entry);
}

Result<std::vector<uint8_t>> read_page_file(const std::string& path, uint64_t max_size) {
    MappedFile file = CW_TRY(MappedFile::open(path, max_size));
    return std::vector<uint8_t>(file.bytes().begin(), file.bytes().end());
}

Result<void> measure_snp_page_list(std::span<const SnpPageEntry> entries, const std::string& base_dir,
                                   const PageFileReader& read, SnpLaunchDigest& digest) {
    uint64_t budget = kMaxPageListTotalFileBytes;
    for (size_t i = 0; i < entries.size(); ++i) {
        const SnpPageEntry& e = entries[i];
        std::string where = entry_prefix(i) + (e.file.empty() ? "" : " (file " + json_quoted(e.file) + ")");
        SnpPage page{e.type, e.gpa, {}};
        if (!e.file.empty())
            page.contents = CW_TRY(read_entry_file(e.file, base_dir, read, budget).context(where));
        CW_TRY(measure_snp_page(digest, page).context(where));
    }
    return {};
}

Result<void> measure_tdx_op_list(std::span<const TdxOpEntry> entries, const std::string& base_dir,
                                 const PageFileReader& read, TdxMrtd& mrtd) {
    uint64_t budget = kMaxPageListTotalFileBytes;
    for (size_t i = 0; i < entries.size(); ++i) {
        const TdxOpEntry& e = entries[i];
        std::string where = entry_prefix(i) + (e.file.empty() ? "" : " (file " + json_quoted(e.file) + ")");
        TdxOp op{e.op, e.gpa, {}};
        if (!e.file.empty())
            op.contents = CW_TRY(read_entry_file(e.file, base_dir, read, budget).context(where));
        CW_TRY(measure_tdx_op(mrtd, op).context(where));
    }
    return {};
}

}  // namespace cw::tee
