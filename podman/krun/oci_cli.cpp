#include "oci_cli.h"

#include <csignal>
#include <cstring>
#include <map>

namespace cw::krun {

namespace {

// Splits "--name=value" / "--name" into name and optional value.
struct Option {
    std::string name;
    std::optional<std::string> value;
};

Option split_option(const std::string& arg) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
        return {arg, std::nullopt};
    return {arg.substr(0, eq), arg.substr(eq + 1)};
}

// The value of an option that takes one: "--x=V" or the next argument.
class ArgCursor {
public:
    explicit ArgCursor(const std::vector<std::string>& args) : m_args(args) {}
    [[nodiscard]] bool done() const { return m_pos >= m_args.size(); }
    const std::string& next() { return m_args[m_pos++]; }
    Result<std::string> value_of(const Option& option) {
        if (option.value)
            return *option.value;
        if (done())
            return Error::msg("option " + option.name + " needs a value");
        return next();
    }

private:
    const std::vector<std::string>& m_args;
    size_t m_pos = 0;
};

const std::map<std::string, Verb>& verbs() {
    static const std::map<std::string, Verb> table = {
        {"create", Verb::Create}, {"start", Verb::Start},   {"state", Verb::State},
        {"kill", Verb::Kill},     {"delete", Verb::Delete}, {"pause", Verb::Pause},
        {"resume", Verb::Resume}, {"exec", Verb::Exec},
    };
    return table;
}

// Global options that take a value (crun's and runc's, plus krun's own).
bool global_takes_value(const std::string& name) {
    return name == "--root" || name == "--log" || name == "--log-format" || name == "--cgroup-manager" ||
           name == "--sim-key" || name == "--attest-url" || name == "--criu" || name == "--rootless";
}

Result<unsigned> parse_count(const std::string& option, const std::string& text) {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
        return Error::msg(option + " '" + text + "': expected a number");
    return static_cast<unsigned>(std::stoul(text));
}

Result<void> parse_create_option(ArgCursor& cursor, const Option& option, CreateOptions& out) {
    if (option.name == "--bundle" || option.name == "-b")
        out.bundle = CW_TRY(cursor.value_of(option));
    else if (option.name == "--pid-file")
        out.pid_file = CW_TRY(cursor.value_of(option));
    else if (option.name == "--console-socket")
        out.console_socket = CW_TRY(cursor.value_of(option));
    else if (option.name == "--preserve-fds")
    {
        const std::string count = CW_TRY(cursor.value_of(option));
        out.preserve_fds = CW_TRY(parse_count("--preserve-fds", count));
    }
    else if (option.name == "--no-pivot" || option.name == "--no-new-keyring")
        return {};  // about the container's mount namespace and keyring: a microVM has its own
    else
        return Error::msg("create: unknown option " + option.name);
    return {};
}

}  // namespace

Result<void> check_container_id(const std::string& id) {
    if (id.empty() || id.size() > 128 || id == "." || id == "..")
        return Error::msg("container id '" + id + "' is not valid (1-128 of A-Z a-z 0-9 _ . -)");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
        if (!ok)
            return Error::msg("container id '" + id + "' is not valid (1-128 of A-Z a-z 0-9 _ . -)");
    }
    return {};
}

Result<int> parse_signal(const std::string& text) {
    if (!text.empty() && text.size() <= 2 && text.find_first_not_of("0123456789") == std::string::npos) {
        int number = std::stoi(text);
        if (number >= 1 && number <= 64)
            return number;
        return Error::msg("signal " + text + " is out of range (1-64)");
    }
    std::string name = text;
    for (auto& c : name)
        c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (name.rfind("SIG", 0) == 0)
        name = name.substr(3);
    for (int number = 1; number < NSIG; ++number) {
        const char* abbrev = sigabbrev_np(number);
        if (abbrev != nullptr && name == abbrev)
            return number;
    }
    return Error::msg("unknown signal '" + text + "'");
}

Result<Invocation> parse_invocation(const std::vector<std::string>& args) {
    Invocation inv;
    ArgCursor cursor(args);
    std::optional<std::string> verb_name;
    // Global options, up to the verb.
    while (!cursor.done()) {
        const std::string& arg = cursor.next();
        if (arg == "--version" || arg == "-v" || arg == "version") {
            inv.verb = Verb::Version;
            return inv;
        }
        if (arg.rfind("-", 0) != 0) {
            verb_name = arg;
            break;
        }
        Option option = split_option(arg);
        if (!global_takes_value(option.name)) {
            inv.global.ignored.push_back(arg);  // --debug, --systemd-cgroup, a --runtime-flag
            continue;
        }
        const std::string value = CW_TRY(cursor.value_of(option));
        if (option.name == "--root")
            inv.global.root = value;
        else if (option.name == "--log")
            inv.global.log = value;
        else if (option.name == "--log-format")
            inv.global.log_json = value == "json";
        else if (option.name == "--sim-key")
            inv.global.sim_key = value;
        else if (option.name == "--attest-url")
            inv.global.attest_url = value;
        else
            inv.global.ignored.push_back(option.name + "=" + value);
    }
    if (!verb_name)
        return Error::msg("no command given (create, start, state, kill, delete, pause, resume, exec, --version)");
    auto verb = verbs().find(*verb_name);
    if (verb == verbs().end())
        return Error::msg("unknown command '" + *verb_name + "'");
    inv.verb = verb->second;

    std::vector<std::string> positional;
    while (!cursor.done()) {
        const std::string& arg = cursor.next();
        if (arg.size() < 2 || arg[0] != '-') {
            positional.push_back(arg);
            continue;
        }
        Option option = split_option(arg);
        if (inv.verb == Verb::Create)
            CW_TRY(parse_create_option(cursor, option, inv.create));
        else if (inv.verb == Verb::Kill && (option.name == "--all" || option.name == "-a"))
            inv.all = true;
        else if (inv.verb == Verb::Delete && (option.name == "--force" || option.name == "-f"))
            inv.force = true;
        else if (inv.verb == Verb::Exec)
            continue;  // refused as a whole below; its options do not matter
        else
            return Error::msg(*verb_name + ": unknown option " + option.name);
    }
    if (inv.verb == Verb::Exec)
        return inv;  // exec's id may follow options krun does not parse
    size_t max_positional = inv.verb == Verb::Kill ? 2 : 1;
    if (positional.empty())
        return Error::msg(*verb_name + ": no container id given");
    if (positional.size() > max_positional)
        return Error::msg(*verb_name + ": unexpected argument '" + positional[max_positional] + "'");
    inv.id = positional[0];
    CW_TRY(check_container_id(inv.id));
    if (inv.verb == Verb::Kill && positional.size() == 2)
        inv.signal = CW_TRY(parse_signal(positional[1]));
    if (inv.verb == Verb::Create && inv.create.bundle.empty())
        inv.create.bundle = ".";  // runc and crun: the bundle defaults to the working directory
    return inv;
}

}  // namespace cw::krun
