#include "cgroup_join.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/unique_fd.h"

namespace cw::krun {

namespace {

bool is_cgroup_fs(const std::string& path, bool* v2) {
    struct statfs fs {};
    if (statfs(path.c_str(), &fs) != 0)
        return false;
    *v2 = fs.f_type == CGROUP2_SUPER_MAGIC;
    return fs.f_type == CGROUP2_SUPER_MAGIC || fs.f_type == CGROUP_SUPER_MAGIC;
}

Result<void> make_dirs(const std::string& base, const std::string& relative, std::string* made) {
    std::string path = base;
    size_t pos = 0;
    while (pos < relative.size()) {
        size_t next = relative.find('/', pos);
        std::string part = relative.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        pos = next == std::string::npos ? relative.size() : next + 1;
        if (part.empty())
            continue;
        if (part == "." || part == "..")
            return Error::msg("linux.cgroupsPath '" + relative + "' holds '" + part + "'");
        path += "/" + part;
        if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
            return Error::sys("creating cgroup " + path);
    }
    *made = path;
    return {};
}

Result<void> write_pid(const std::string& dir, int pid) {
    std::string path = dir + "/cgroup.procs";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("opening " + path);
    std::string text = std::to_string(pid);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return Error::sys("moving the VMM into " + dir);
    return {};
}

}  // namespace

Result<std::vector<std::string>> join_cgroup(const std::string& cgroups_path, int pid, const std::string& mount_root) {
    std::vector<std::string> made;
    if (cgroups_path.empty())
        return made;
    if (cgroups_path.find(':') != std::string::npos)
        return Error::msg("linux.cgroupsPath '" + cgroups_path +
                          "' is in the systemd manager's form, which krun does not support: set cgroup_manager = "
                          "\"cgroupfs\" in containers.conf");
    bool v2 = false;
    if (is_cgroup_fs(mount_root, &v2) && v2) {
        std::string dir;
        CW_TRY(make_dirs(mount_root, cgroups_path, &dir));
        made.push_back(dir);
        CW_TRY(write_pid(dir, pid));
        return made;
    }
    // cgroup v1 (or hybrid): one hierarchy per mounted controller set. A hierarchy that
    // refuses (cpuset needs its cpus and mems set first) is skipped; at least one must take it.
    DIR* root = opendir(mount_root.c_str());
    if (root == nullptr)
        return Error::sys("opening " + mount_root);
    std::vector<std::string> hierarchies;
    while (dirent* entry = readdir(root)) {
        std::string name = entry->d_name;
        std::string path = mount_root + "/" + name;
        bool unused = false;
        struct stat st {};
        if (name != "." && name != ".." && lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
            is_cgroup_fs(path, &unused))
            hierarchies.push_back(path);
    }
    closedir(root);
    std::string last_error = "no cgroup hierarchy is mounted under " + mount_root;
    bool joined = false;
    for (const auto& hierarchy : hierarchies) {
        std::string dir;
        auto result = make_dirs(hierarchy, cgroups_path, &dir);
        if (result.ok()) {
            made.push_back(dir);
            result = write_pid(dir, pid);
        }
        if (result.ok())
            joined = true;
        else
            last_error = result.error().to_string();
    }
    if (!joined)
        return Error::msg("joining cgroup " + cgroups_path + ": " + last_error);
    return made;
}

Result<void> remove_cgroups(const std::vector<std::string>& dirs) {
    std::string failed;
    for (const auto& dir : dirs) {
        // The VMM may still be a zombie until conmon reaps it: retry briefly.
        bool removed = false;
        for (int attempt = 0; attempt < 50 && !removed; ++attempt) {
            removed = ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
            if (!removed && errno != EBUSY)
                break;
            if (!removed)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!removed)
            failed += (failed.empty() ? "" : ", ") + dir;
    }
    if (!failed.empty())
        return Error::msg("cgroup still in use, left in place: " + failed);
    return {};
}

}  // namespace cw::krun
