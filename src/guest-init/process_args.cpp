#include "guest-init/process_args.h"

#include <algorithm>

namespace cw::guest {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool has_var(const std::vector<std::string>& env, std::string_view name) {
    return std::any_of(env.begin(), env.end(), [&](const std::string& e) {
        return e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=';
    });
}

}  // namespace

Result<std::vector<std::string>> workload_argv(const ProcessPlan& plan) {
    std::vector<std::string> argv = plan.entrypoint;
    const auto& tail = plan.override_args ? *plan.override_args : plan.cmd;
    argv.insert(argv.end(), tail.begin(), tail.end());
    if (argv.empty())
        return Error::msg("no command: the image has neither entrypoint nor cmd and no arguments were given");
    if (argv.front().empty())
        return Error::msg("the command is an empty string");
    for (const auto& a : argv) {
        if (a.find('\0') != std::string::npos)
            return Error::msg("an argument contains a NUL byte");
    }
    return argv;
}

Result<std::vector<std::string>> workload_env(const ProcessPlan& plan, const std::string& home,
                                              const std::string& hostname) {
    std::vector<std::string> env;
    for (const auto& e : plan.env) {
        size_t eq = e.find('=');
        if (eq == std::string::npos || eq == 0 || e.find('\0') != std::string::npos)
            return Error::msg("environment entry \"" + e.substr(0, 64) + "\" is not NAME=value");
        env.push_back(e);
    }
    if (!has_var(env, "PATH"))
        env.emplace_back(std::string("PATH=") + kDefaultPath);
    if (!has_var(env, "HOME"))
        env.push_back("HOME=" + home);
    if (!has_var(env, "HOSTNAME") && !hostname.empty())
        env.push_back("HOSTNAME=" + hostname);
    if (!has_var(env, "TERM"))
        env.emplace_back("TERM=xterm");
    return env;
}

}  // namespace cw::guest
