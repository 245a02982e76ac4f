// Per-container state under the runtime root (default /run/krun/ID/): state.json, written
// atomically (temp file, fsync, rename), and the start FIFO while the container is created
// but not started. Every verb holds an exclusive flock on the container's directory while it
// reads or changes it, so concurrent Podman commands on one container run one after another
// and never see a half-written state; delete removes the directory under the lock and a
// waiter that then gets the lock sees the container gone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::krun {

struct ContainerState {
    std::string id;
    int pid = 0;                  // the VMM process (Podman's container pid)
    uint64_t pid_start_time = 0;  // its start time (/proc/PID/stat), so a reused pid is not ours
    std::string bundle;
    std::string rootfs;
    std::string created;  // RFC 3339, UTC
    bool paused = false;
    std::vector<std::string> cgroups;  // cgroup directories krun made, removed by delete
    std::map<std::string, std::string> annotations;
};

[[nodiscard]] std::string state_to_json(const ContainerState& state);
[[nodiscard]] Result<ContainerState> state_from_json(const std::string& text);

inline constexpr const char* kStartFifo = "start.fifo";

class ContainerDir {
public:
    ContainerDir(std::string path, UniqueFd lock) : m_path(std::move(path)), m_lock(std::move(lock)) {}

    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] std::string file(const char* name) const { return m_path + "/" + name; }
    [[nodiscard]] int lock_fd() const { return m_lock.get(); }

    [[nodiscard]] Result<void> write_state(const ContainerState& state) const;
    [[nodiscard]] Result<ContainerState> read_state() const;
    // Removes the directory and everything in it; the lock goes with it.
    [[nodiscard]] Result<void> remove();

private:
    std::string m_path;
    UniqueFd m_lock;
};

class StateRoot {
public:
    explicit StateRoot(std::string root) : m_root(std::move(root)) {}

    // A new container directory, locked; fails if the id exists.
    [[nodiscard]] Result<ContainerDir> create(const std::string& id) const;
    // The container's directory, locked; nullopt if there is no such container.
    [[nodiscard]] Result<std::optional<ContainerDir>> open(const std::string& id) const;

private:
    std::string m_root;
};

}  // namespace cw::krun
