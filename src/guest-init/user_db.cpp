#include "guest-init/user_db.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <optional>

namespace cw::guest {

namespace {

// Splits `line` at ':' into exactly `want` fields, or fails.
Result<std::vector<std::string_view>> split_fields(std::string_view line, size_t want) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    for (;;) {
        size_t colon = line.find(':', start);
        fields.push_back(line.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos)
            break;
        if (fields.size() == want)
            return Error::msg("more than " + std::to_string(want) + " ':'-separated fields");
        start = colon + 1;
    }
    if (fields.size() != want)
        return Error::msg(std::to_string(fields.size()) + " ':'-separated fields, expected " + std::to_string(want));
    return fields;
}

// Names: non-empty, printable ASCII without ':' or ',' or spaces (what useradd accepts and more).
Result<void> check_name(std::string_view name, std::string_view what) {
    constexpr size_t kMaxName = 256;
    if (name.empty() || name.size() > kMaxName)
        return Error::msg(std::string(what) + " of " + std::to_string(name.size()) + " characters (1 to 256)");
    for (char c : name) {
        if (c <= 0x20 || c >= 0x7F || c == ',' || c == ':')
            return Error::msg(std::string(what) + " with a character that is not printable ASCII");
    }
    return {};
}

// Calls `each(line, number)` for every non-blank, non-comment line; bounds the file and lines.
template <class F>
Result<void> for_each_line(std::string_view text, F each) {
    if (text.size() > kMaxUserDbBytes)
        return Error::msg(std::to_string(text.size()) + " bytes (at most " + std::to_string(kMaxUserDbBytes) + ")");
    size_t number = 0;
    size_t entries = 0;
    while (!text.empty()) {
        ++number;
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        auto where = "line " + std::to_string(number);
        if (line.size() > kMaxUserDbLine)
            return Error::msg(where + ": longer than " + std::to_string(kMaxUserDbLine) + " bytes");
        if (line.empty() || line.front() == '#')
            continue;
        if (++entries > kMaxUserDbEntries)
            return Error::msg("more than " + std::to_string(kMaxUserDbEntries) + " entries");
        if (line.find('\0') != std::string_view::npos || line.find('\r') != std::string_view::npos)
            return Error::msg(where + ": a NUL or CR byte");
        CW_TRY(each(line).context(where));
    }
    return {};
}

Result<std::string> read_bounded(const std::string& path, bool& missing) {
    std::ifstream in(path, std::ios::binary);
    missing = false;
    if (!in) {
        if (errno == ENOENT) {
            missing = true;
            return std::string();
        }
        return Error::sys("opening " + path);
    }
    std::string data;
    data.resize(kMaxUserDbBytes + 1);
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (in.bad())
        return Error::sys("reading " + path);
    data.resize(static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxUserDbBytes)
        return Error::msg(path + ": larger than " + std::to_string(kMaxUserDbBytes) + " bytes");
    return data;
}

bool is_numeric(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<uint32_t> parse_numeric_id(std::string_view text) {
    constexpr size_t kMaxDigits = 10;
    if (!is_numeric(text) || text.size() > kMaxDigits)
        return Error::msg("\"" + std::string(text.substr(0, 16)) + "\" is not a decimal id");
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value >= std::numeric_limits<uint32_t>::max())
        return Error::msg("id " + std::string(text) + " out of range (0 to 4294967294)");
    return static_cast<uint32_t>(value);
}

Result<std::vector<PasswdEntry>> parse_passwd(std::string_view text) {
    std::vector<PasswdEntry> out;
    auto parsed = for_each_line(text, [&](std::string_view line) -> Result<void> {
        auto f = CW_TRY(split_fields(line, 7));
        CW_TRY(check_name(f[0], "user name"));
        PasswdEntry e;
        e.name = std::string(f[0]);
        e.uid = CW_TRY(parse_numeric_id(f[2]).context("uid"));
        e.gid = CW_TRY(parse_numeric_id(f[3]).context("gid"));
        e.home = f[5].empty() ? "/" : std::string(f[5]);
        out.push_back(std::move(e));
        return {};
    });
    if (!parsed)
        return std::move(parsed).error().context("passwd");
    return out;
}

Result<std::vector<GroupEntry>> parse_group(std::string_view text) {
    std::vector<GroupEntry> out;
    auto parsed = for_each_line(text, [&](std::string_view line) -> Result<void> {
        auto f = CW_TRY(split_fields(line, 4));
        CW_TRY(check_name(f[0], "group name"));
        GroupEntry e;
        e.name = std::string(f[0]);
        e.gid = CW_TRY(parse_numeric_id(f[2]).context("gid"));
        std::string_view members = f[3];
        while (!members.empty()) {
            size_t comma = members.find(',');
            std::string_view m = members.substr(0, comma);
            members.remove_prefix(comma == std::string_view::npos ? members.size() : comma + 1);
            if (m.empty())
                continue;  // "a,,b" and a trailing ',' are common and harmless
            CW_TRY(check_name(m, "member name"));
            e.members.emplace_back(m);
        }
        out.push_back(std::move(e));
        return {};
    });
    if (!parsed)
        return std::move(parsed).error().context("group");
    return out;
}

Result<ResolvedUser> resolve_user(std::string_view spec, const std::vector<PasswdEntry>& passwd,
                                  const std::vector<GroupEntry>& groups) {
    ResolvedUser out;
    if (spec.empty())
        spec = "0";
    size_t colon = spec.find(':');
    std::string_view user = spec.substr(0, colon);
    std::optional<std::string_view> group;
    if (colon != std::string_view::npos)
        group = spec.substr(colon + 1);
    if (user.empty() || (group && group->empty()))
        return Error::msg("user \"" + std::string(spec) + "\": empty user or group");

    const PasswdEntry* entry = nullptr;
    if (is_numeric(user)) {
        out.uid = CW_TRY(parse_numeric_id(user).context("user"));
        for (const auto& p : passwd) {
            if (p.uid == out.uid) {
                entry = &p;
                break;
            }
        }
    } else {
        for (const auto& p : passwd) {
            if (p.name == user) {
                entry = &p;
                break;
            }
        }
        if (entry == nullptr)
            return Error::msg("user \"" + std::string(user) + "\" not found in /etc/passwd");
        out.uid = entry->uid;
    }
    // A numeric uid without a passwd entry runs with gid 0 and home "/", as runc does.
    if (entry != nullptr) {
        out.gid = entry->gid;
        out.home = entry->home;
    }

    if (group) {
        if (is_numeric(*group)) {
            out.gid = CW_TRY(parse_numeric_id(*group).context("group"));
        } else {
            auto it = std::find_if(groups.begin(), groups.end(), [&](const GroupEntry& g) { return g.name == *group; });
            if (it == groups.end())
                return Error::msg("group \"" + std::string(*group) + "\" not found in /etc/group");
            out.gid = it->gid;
        }
    }
    // Supplementary groups: only when the user was not given an explicit group (as podman).
    if (entry != nullptr && !group) {
        for (const auto& g : groups) {
            if (std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end())
                out.supplementary.push_back(g.gid);
        }
        std::sort(out.supplementary.begin(), out.supplementary.end());
        out.supplementary.erase(std::unique(out.supplementary.begin(), out.supplementary.end()),
                                out.supplementary.end());
        if (out.supplementary.size() > kMaxSupplementaryGroups)
            return Error::msg("user \"" + entry->name + "\" is in more than " +
                              std::to_string(kMaxSupplementaryGroups) + " groups");
    }
    return out;
}

Result<ResolvedUser> resolve_user_in_root(std::string_view spec, const std::string& root) {
    size_t colon = spec.find(':');
    if (colon != std::string_view::npos && is_numeric(spec.substr(0, colon)) && is_numeric(spec.substr(colon + 1)))
        return resolve_user(spec, {}, {});
    bool missing = false;
    std::string passwd_text = CW_TRY(read_bounded(root + "/etc/passwd", missing));
    std::string group_text = CW_TRY(read_bounded(root + "/etc/group", missing));
    auto passwd = CW_TRY(parse_passwd(passwd_text));
    auto groups = CW_TRY(parse_group(group_text));
    return resolve_user(spec, passwd, groups);
}

}  // namespace cw::guest
