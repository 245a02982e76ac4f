#include "state_store.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bundle_config.h"

namespace cw::krun {

namespace {

using json = nlohmann::json;

// It holds config.json's annotations, so it may be nearly as large; a state that create
// wrote must always read back, or the VMM could outlive its state.
constexpr size_t kMaxStateBytes = kMaxConfigBytes + 64 * 1024;

Result<UniqueFd> lock_directory(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("opening " + path);
    while (flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR)
            return Error::sys("locking " + path);
    }
    return fd;
}

Result<void> make_root(const std::string& root) {
    // mkdir -p, 0700: the state names processes krun will signal.
    for (size_t pos = 1; pos <= root.size(); ++pos) {
        if (pos != root.size() && root[pos] != '/')
            continue;
        std::string prefix = root.substr(0, pos);
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
            return Error::sys("creating the state root " + prefix);
    }
    return {};
}

}  // namespace

std::string state_to_json(const ContainerState& s) {
    json doc = {
        {"id", s.id},       {"pid", s.pid},         {"pid_start_time", s.pid_start_time},
        {"bundle", s.bundle}, {"rootfs", s.rootfs}, {"created", s.created},
        {"paused", s.paused}, {"cgroups", s.cgroups}, {"annotations", s.annotations},
    };
    // Replacement, not an exception, for a path or annotation that is not UTF-8.
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ContainerState> state_from_json(const std::string& text) {
    // Only krun writes this file (root-owned, 0700 directory); still, a damaged file is an
    // error line, not a crash.
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error::msg("state.json is damaged");
    try {
        ContainerState s;
        s.id = doc.at("id").get<std::string>();
        s.pid = doc.at("pid").get<int>();
        s.pid_start_time = doc.at("pid_start_time").get<uint64_t>();
        s.bundle = doc.at("bundle").get<std::string>();
        s.rootfs = doc.at("rootfs").get<std::string>();
        s.created = doc.at("created").get<std::string>();
        s.paused = doc.at("paused").get<bool>();
        s.cgroups = doc.at("cgroups").get<std::vector<std::string>>();
        s.annotations = doc.at("annotations").get<std::map<std::string, std::string>>();
        return s;
    } catch (const json::exception&) {
        return Error::msg("state.json is damaged");
    }
}

Result<void> ContainerDir::write_state(const ContainerState& state) const {
    const std::string path = file("state.json");
    const std::string temp = path + ".tmp";
    const std::string text = state_to_json(state);
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid())
        return Error::sys("creating " + temp);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Error::sys("writing " + temp);
        done += static_cast<size_t>(n);
    }
    if (fsync(fd.get()) != 0)
        return Error::sys("fsync " + temp);
    if (::rename(temp.c_str(), path.c_str()) != 0)
        return Error::sys("renaming " + temp);
    return {};
}

Result<ContainerState> ContainerDir::read_state() const {
    const std::string path = file("state.json");
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("opening " + path);
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("reading " + path);
        if (n == 0)
            break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > kMaxStateBytes)
            return Error::msg(path + " is larger than " + std::to_string(kMaxStateBytes) + " bytes");
    }
    return state_from_json(text);
}

Result<void> ContainerDir::remove() {
    // Depth first, without following links: besides krun's files the directory holds what a
    // VMM killed by SIGKILL could not clean up (its private socket directories).
    auto remove_entry = [](const char* path, const struct stat*, int, FTW*) {
        return ::remove(path) == 0 || errno == ENOENT ? 0 : -1;
    };
    if (nftw(m_path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return Error::sys("removing " + m_path);
    m_lock.reset();
    return {};
}

Result<ContainerDir> StateRoot::create(const std::string& id) const {
    CW_TRY(make_root(m_root));
    const std::string path = m_root + "/" + id;
    if (::mkdir(path.c_str(), 0700) != 0) {
        if (errno == EEXIST)
            return Error::msg("container " + id + " already exists");
        return Error::sys("creating " + path);
    }
    auto lock = lock_directory(path);
    if (!lock.ok()) {
        ::rmdir(path.c_str());
        return std::move(lock).error();
    }
    return ContainerDir(path, std::move(*lock));
}

Result<std::optional<ContainerDir>> StateRoot::open(const std::string& id) const {
    const std::string path = m_root + "/" + id;
    auto lock = lock_directory(path);
    if (!lock.ok()) {
        if (lock.error().sys_errno() == ENOENT)
            return std::optional<ContainerDir>();
        return std::move(lock).error();
    }
    // delete may have removed the directory while this call waited for the lock.
    struct stat st {};
    if (fstat(lock->get(), &st) != 0)
        return Error::sys("stat " + path);
    if (st.st_nlink == 0)
        return std::optional<ContainerDir>();
    // create makes the directory before it writes state.json; without it the container
    // never finished being created (a crashed create): it is there only to be deleted.
    return std::optional<ContainerDir>(ContainerDir(path, std::move(*lock)));
}

}  // namespace cw::krun
