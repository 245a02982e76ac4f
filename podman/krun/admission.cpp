#include "admission.h"

#include <set>

namespace cw::krun {

namespace {

// Variables Podman sets in every container (contract section 6): not the user's.
bool podman_default_variable(const std::string& name) {
    return name == "PATH" || name == "TERM" || name == "container" || name == "HOSTNAME" || name == "HOME";
}

// Mounts Podman adds to every container. In the guest, /proc, /sys, /dev are the guest
// kernel's own; the host files Podman manages (/etc/hosts, resolv.conf, hostname,
// .containerenv, /dev/shm) have no meaning for a workload without host networking.
bool podman_default_mount(const BundleMount& mount) {
    static const std::set<std::string> destinations = {
        "/proc", "/dev", "/sys", "/dev/pts", "/dev/mqueue", "/run/.containerenv", "/etc/hostname",
        "/etc/resolv.conf", "/etc/hosts", "/dev/shm", "/sys/fs/cgroup",
    };
    return destinations.contains(mount.destination);
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words)
        out += (out.empty() ? "" : " ") + word;
    return out;
}

}  // namespace

Result<Admitted> admit(const BundleConfig& config, const std::string& tee) {
    const bool measured = tee != "none";
    const std::string workload = measured ? "this confidential (tee " + tee + ") workload" : "this workload";
    Admitted out;
    if (config.args.front() != kImageEntrypoint)
        return Error::msg("--entrypoint " + config.args.front() + " is refused: " + workload +
                          " runs the entrypoint recorded in its workload.json");
    if (config.args.size() > 1) {
        std::vector<std::string> extra(config.args.begin() + 1, config.args.end());
        if (measured)
            return Error::msg("the command '" + joined(extra) + "' is refused: " + workload +
                              " runs the command oci2cw measured; convert the image with the command you want, "
                              "or run the image without one");
        out.guest_args = std::move(extra);
    }
    for (const auto& variable : config.env) {
        std::string name = variable.substr(0, variable.find('='));
        if (!podman_default_variable(name))
            return Error::msg("--env " + name + " is refused: the environment of " + workload +
                              " is the one recorded in its workload.json" +
                              (measured ? " and measured" : ""));
    }
    if (config.uid != 0 || config.gid != 0)
        return Error::msg("--user " + std::to_string(config.uid) + ":" + std::to_string(config.gid) +
                          " is refused: " + workload + " runs as the user recorded in its workload.json");
    if (config.cwd != "/")
        return Error::msg("--workdir " + config.cwd + " is refused: " + workload +
                          " runs in the working directory recorded in its workload.json");
    for (const auto& mount : config.mounts) {
        if (!podman_default_mount(mount))
            return Error::msg("the mount at " + mount.destination + " is refused: host directories and volumes "
                              "cannot be shared into the microVM" +
                              (measured ? " (they would be unmeasured input to a confidential workload)" : ""));
    }
    return out;
}

}  // namespace cw::krun
