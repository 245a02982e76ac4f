// The command line Podman and conmon give an OCI runtime (shared/reference/
// podman-runtime-contract.md section 3): global options, then a verb and its options. Global
// options krun does not know are tolerated (Podman passes --runtime-flag X as --X), verb
// options it does not know are refused, so a typo never silently changes a launch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cw::krun {

enum class Verb { Create, Start, State, Kill, Delete, Pause, Resume, Exec, Version };

struct GlobalOptions {
    std::string root = "/run/krun";  // per-container state directories
    std::string log;                 // --log FILE: where errors go for the caller
    bool log_json = false;           // --log-format=json: one JSON object in --log
    std::string sim_key;             // --sim-key: the host's sim report key (--runtime-flag sim-key=...)
    std::string attest_url;          // --attest-url: where the host reaches the attestation server
    std::vector<std::string> ignored;  // tolerated unknown global options, for --debug output
};

struct CreateOptions {
    std::string bundle;
    std::string pid_file;
    std::string console_socket;
    unsigned preserve_fds = 0;
};

struct Invocation {
    GlobalOptions global;
    Verb verb = Verb::Version;
    std::string id;
    CreateOptions create;
    int signal = 15;     // kill
    bool all = false;    // kill --all
    bool force = false;  // delete --force
};

// argv without the program name.
[[nodiscard]] Result<Invocation> parse_invocation(const std::vector<std::string>& args);

// Container ids name a directory under the state root: 1-128 of [A-Za-z0-9_.-], not "." or
// "..", so an id never reaches outside it.
[[nodiscard]] Result<void> check_container_id(const std::string& id);

// "15", "TERM", "SIGTERM", "kill": the signal number (1..64).
[[nodiscard]] Result<int> parse_signal(const std::string& text);

}  // namespace cw::krun
