#include "podman.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "base/unique_fd.h"

namespace cw::oci {

namespace {

// Bound on what we keep of Podman's stderr (only its last line is reported).
constexpr size_t kMaxStderr = 64 << 10;
constexpr size_t kMaxImageName = 255;

std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of("\r\n \t");
    if (end == std::string::npos)
        return "";
    size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

Result<void> run(const std::string& program, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return Error::sys("pipe");
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid < 0)
        return Error::sys("fork");
    if (pid == 0) {
        // Child: stdout to our stderr, stderr to the pipe; nothing but async-signal-safe calls.
        if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || ::dup2(fds[1], STDERR_FILENO) < 0)
            ::_exit(127);
        ::execv(program.c_str(), argv.data());
        ::_exit(127);
    }
    write_end.reset();
    std::string err;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        err.append(buf, static_cast<size_t>(n));
        if (err.size() > kMaxStderr)
            err.erase(0, err.size() - kMaxStderr);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return Error::sys("waitpid");
    }
    std::string what = program + " " + args.front();
    if (WIFSIGNALED(status))
        return Error::msg(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
    if (WEXITSTATUS(status) != 0) {
        std::string line = last_line(err);
        return Error::msg(what + ": exit " + std::to_string(WEXITSTATUS(status)) + (line.empty() ? "" : ": " + line));
    }
    return {};
}

}  // namespace

Result<std::string> find_podman(const std::string& purpose) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t pos = 0;
    while (pos <= dirs.size()) {
        size_t next = dirs.find(':', pos);
        if (next == std::string::npos)
            next = dirs.size();
        std::string dir = dirs.substr(pos, next - pos);
        pos = next + 1;
        if (dir.empty())
            continue;  // an empty entry means the current directory: never trusted here
        std::string candidate = dir + "/podman";
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return Error::msg(purpose + " needs podman, which is not on PATH");
}

Result<void> podman_load(const std::string& podman, const std::string& file) {
    return run(podman, {"load", "-i", file});
}

Result<void> podman_save(const std::string& podman, const std::string& name, const std::string& file) {
    if (name.empty() || name.size() > kMaxImageName || name.front() == '-')
        return Error::msg("containers-storage: \"" + name + "\" is not an image name");
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f)
            return Error::msg("containers-storage: the image name has a space or control character");
    }
    return run(podman, {"save", "--quiet", "--format", "oci-archive", "-o", file, name});
}

Result<Image> open_podman_image(const std::string& podman, const std::string& name, uint64_t max_bytes,
                                const Platform& platform) {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/oci2cw-podman.XXXXXX";
    if (!::mkdtemp(dir.data()))
        return Error::sys("mkdtemp " + dir);
    std::string file = dir + "/image.tar";
    auto image = [&]() -> Result<Image> {
        CW_TRY(podman_save(podman, name, file));
        return open_image("oci-archive:" + file, max_bytes, platform);
    }();
    ::unlink(file.c_str());
    ::rmdir(dir.c_str());
    if (!image.ok())
        return std::move(image).error().context("containers-storage:" + name);
    return image;
}

}  // namespace cw::oci
