// krun: the OCI runtime Podman uses with `podman run --runtime krun`: each container is a
// microVM running a workload converted by oci2cw (docs/podman.md).
#include <cstdio>
#include <string>
#include <vector>

#include "error_log.h"
#include "oci_cli.h"
#include "verbs.h"

namespace {

constexpr const char* kVersion =
    "krun version 0.1.0 (confidential-workloads: OCI runtime for confidential microVMs)\n"
    "spec: 1.0.2\n";

// The log file from the raw arguments, for an error in parsing them.
std::pair<std::string, bool> log_target(const std::vector<std::string>& args) {
    std::string log;
    bool json = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--log" && i + 1 < args.size())
            log = args[i + 1];
        else if (args[i].rfind("--log=", 0) == 0)
            log = args[i].substr(6);
        else if (args[i] == "--log-format=json" || (args[i] == "--log-format" && i + 1 < args.size() && args[i + 1] == "json"))
            json = true;
    }
    return {log, json};
}

cw::Result<void> run(const cw::krun::Invocation& inv) {
    using cw::krun::Verb;
    switch (inv.verb) {
    case Verb::Version: std::fputs(kVersion, stdout); return {};
    case Verb::Create: return cw::krun::create_container(inv.global, inv.id, inv.create);
    case Verb::Start: return cw::krun::start_container(inv.global, inv.id);
    case Verb::Kill: return cw::krun::kill_container(inv.global, inv.id, inv.signal);
    case Verb::Delete: return cw::krun::delete_container(inv.global, inv.id, inv.force);
    case Verb::Pause: return cw::krun::pause_container(inv.global, inv.id, true);
    case Verb::Resume: return cw::krun::pause_container(inv.global, inv.id, false);
    case Verb::State: {
        auto state = CW_TRY(cw::krun::container_state(inv.global, inv.id));
        std::printf("%s\n", state.c_str());
        return {};
    }
    case Verb::Exec:
        return cw::Error::msg("exec into a microVM workload is not supported yet: the guest runs only the "
                              "workload's own process");
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    auto inv = cw::krun::parse_invocation(args);
    if (!inv.ok()) {
        auto [log, json] = log_target(args);
        cw::krun::report_error(inv.error().to_string(), log, json);
        return 1;
    }
    auto result = run(*inv);
    if (!result.ok()) {
        cw::krun::report_error(result.error().to_string(), inv->global.log, inv->global.log_json);
        return 1;
    }
    return 0;
}
