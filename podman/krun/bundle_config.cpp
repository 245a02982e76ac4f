#include "bundle_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/unique_fd.h"

namespace cw::krun {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxListItems = 4096;

Result<const json*> member(const json& object, const char* key, json::value_t type, const std::string& where,
                           bool required) {
    auto it = object.find(key);
    if (it == object.end()) {
        if (required)
            return Error::msg("config.json: " + where + key + " is missing");
        return static_cast<const json*>(nullptr);
    }
    bool type_ok = it->type() == type ||
                   (type == json::value_t::number_unsigned && it->type() == json::value_t::number_integer &&
                    it->get<int64_t>() >= 0);
    if (!type_ok)
        return Error::msg("config.json: " + where + key + " has the wrong type");
    return &*it;
}

Result<std::vector<std::string>> string_list(const json& array, const std::string& what) {
    if (array.size() > kMaxListItems)
        return Error::msg("config.json: " + what + " has more than 4096 entries");
    std::vector<std::string> out;
    for (const auto& item : array) {
        if (!item.is_string())
            return Error::msg("config.json: " + what + " holds a value that is not a string");
        out.push_back(item.get<std::string>());
    }
    return out;
}

Result<uint32_t> id_value(const json& user, const char* key) {
    const json* value = CW_TRY(member(user, key, json::value_t::number_unsigned, "process.user.", false));
    if (value == nullptr)
        return uint32_t{0};
    auto number = value->get<uint64_t>();
    if (number > UINT32_MAX)
        return Error::msg(std::string("config.json: process.user.") + key + " is out of range");
    return static_cast<uint32_t>(number);
}

Result<void> read_process(const json& process, BundleConfig& out) {
    const json* args = CW_TRY(member(process, "args", json::value_t::array, "process.", true));
    out.args = CW_TRY(string_list(*args, "process.args"));
    if (out.args.empty())
        return Error::msg("config.json: process.args is empty");
    if (const json* env = CW_TRY(member(process, "env", json::value_t::array, "process.", false)))
        out.env = CW_TRY(string_list(*env, "process.env"));
    if (const json* terminal = CW_TRY(member(process, "terminal", json::value_t::boolean, "process.", false)))
        out.terminal = terminal->get<bool>();
    if (const json* cwd = CW_TRY(member(process, "cwd", json::value_t::string, "process.", false)))
        out.cwd = cwd->get<std::string>();
    if (const json* user = CW_TRY(member(process, "user", json::value_t::object, "process.", false))) {
        out.uid = CW_TRY(id_value(*user, "uid"));
        out.gid = CW_TRY(id_value(*user, "gid"));
    }
    return {};
}

Result<void> read_mounts(const json& mounts, BundleConfig& out) {
    if (mounts.size() > kMaxListItems)
        return Error::msg("config.json: mounts has more than 4096 entries");
    for (const auto& mount : mounts) {
        if (!mount.is_object())
            return Error::msg("config.json: mounts holds a value that is not an object");
        BundleMount m;
        m.destination = CW_TRY(member(mount, "destination", json::value_t::string, "mounts[].", true))
                            ->get<std::string>();
        if (const json* type = CW_TRY(member(mount, "type", json::value_t::string, "mounts[].", false)))
            m.type = type->get<std::string>();
        if (const json* source = CW_TRY(member(mount, "source", json::value_t::string, "mounts[].", false)))
            m.source = source->get<std::string>();
        out.mounts.push_back(std::move(m));
    }
    return {};
}

}  // namespace

Result<BundleConfig> parse_bundle_config(std::string_view text, const std::string& bundle) {
    if (text.size() > kMaxConfigBytes)
        return Error::msg("config.json is larger than 4 MiB");
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error::msg("config.json is not a JSON object");
    BundleConfig out;
    const json* root = CW_TRY(member(doc, "root", json::value_t::object, "", true));
    std::string root_path = CW_TRY(member(*root, "path", json::value_t::string, "root.", true))->get<std::string>();
    if (root_path.empty())
        return Error::msg("config.json: root.path is empty");
    out.root_path = root_path.front() == '/' ? root_path : bundle + "/" + root_path;
    const json* process = CW_TRY(member(doc, "process", json::value_t::object, "", true));
    CW_TRY(read_process(*process, out));
    if (const json* annotations = CW_TRY(member(doc, "annotations", json::value_t::object, "", false))) {
        if (annotations->size() > kMaxListItems)
            return Error::msg("config.json: annotations has more than 4096 entries");
        for (const auto& [key, value] : annotations->items()) {
            if (!value.is_string())
                return Error::msg("config.json: annotation '" + key + "' is not a string");
            out.annotations[key] = value.get<std::string>();
        }
    }
    if (const json* mounts = CW_TRY(member(doc, "mounts", json::value_t::array, "", false)))
        CW_TRY(read_mounts(*mounts, out));
    if (const json* linux_section = CW_TRY(member(doc, "linux", json::value_t::object, "", false))) {
        if (const json* path = CW_TRY(member(*linux_section, "cgroupsPath", json::value_t::string, "linux.", false)))
            out.cgroups_path = path->get<std::string>();
    }
    return out;
}

Result<BundleConfig> read_bundle_config(const std::string& bundle) {
    char resolved[PATH_MAX];
    if (realpath(bundle.c_str(), resolved) == nullptr)
        return Error::sys("bundle " + bundle);
    std::string dir = resolved;
    std::string path = dir + "/config.json";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("opening " + path);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0)
        return Error::sys("stat " + path);
    if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxConfigBytes)
        return Error::msg(path + " is not a regular file of at most 4 MiB");
    std::string text(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error::sys("reading " + path);
        done += static_cast<size_t>(n);
    }
    return parse_bundle_config(text, dir);
}

}  // namespace cw::krun
