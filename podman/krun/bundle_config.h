// The part of an OCI bundle's config.json a microVM runtime acts on. config.json comes from
// Podman (or whoever calls krun): it is bounded and checked, and a field krun needs but
// cannot read is one error line naming it. Fields about Linux namespaces, capabilities,
// seccomp and rlimits describe a host container process; they do not apply to a guest that
// has its own kernel, so they are not read (docs/podman.md says which are honoured).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::krun {

inline constexpr uint64_t kMaxConfigBytes = 4 * 1024 * 1024;

struct BundleMount {
    std::string destination;
    std::string type;
    std::string source;
};

struct BundleConfig {
    std::string root_path;  // absolute: relative paths are resolved against the bundle
    std::vector<std::string> args;
    std::vector<std::string> env;
    bool terminal = false;
    std::string cwd = "/";
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::map<std::string, std::string> annotations;
    std::vector<BundleMount> mounts;
    std::string cgroups_path;  // empty: none
};

// `text` is config.json; `bundle` the absolute bundle directory (for a relative root.path).
[[nodiscard]] Result<BundleConfig> parse_bundle_config(std::string_view text, const std::string& bundle);

// Reads BUNDLE/config.json (bounded) and parses it.
[[nodiscard]] Result<BundleConfig> read_bundle_config(const std::string& bundle);

}  // namespace cw::krun
