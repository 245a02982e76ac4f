#include "cwrun/workload_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace cw::cwrun {

namespace {

Result<std::string> read_bounded(const std::string& path) {
    // O_NOFOLLOW: under krun the directory is a container image's root, whose symbolic links
    // point wherever the image likes (a host file the root VMM would read).
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return errno == ELOOP ? Error::msg(path + ": a symbolic link, refused") : Error::sys(path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return Error::sys(path);
    if (!S_ISREG(st.st_mode))
        return Error::msg(path + ": not a regular file");
    if (static_cast<uint64_t>(st.st_size) > kMaxWorkloadFileBytes)
        return Error::msg(path + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                          std::to_string(kMaxWorkloadFileBytes) + " a workload configuration may have");
    // One byte more than the bound: a file growing under us is caught, not cut short.
    std::string text(kMaxWorkloadFileBytes + 1, '\0');
    size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys(path);
        if (n == 0)
            break;
        got += static_cast<size_t>(n);
    }
    if (got > kMaxWorkloadFileBytes)
        return Error::msg(path + ": more than " + std::to_string(kMaxWorkloadFileBytes) + " bytes");
    text.resize(got);
    return text;
}

// The disk is the one oci2cw put beside workload.json (the reader refuses names with a '/').
Result<void> check_rootfs(const workload::Rootfs& rootfs, const std::string& dir, WorkloadFile& out) {
    out.rootfs_path = dir + rootfs.file;
    out.rootfs_size = rootfs.size;
    struct stat st {};
    // lstat: a link could hand the guest any host file of the recorded size as its disk.
    if (::lstat(out.rootfs_path.c_str(), &st) != 0)
        return Error::sys("rootfs.file " + out.rootfs_path);
    if (S_ISLNK(st.st_mode))
        return Error::msg("rootfs.file " + out.rootfs_path + ": a symbolic link, refused");
    if (!S_ISREG(st.st_mode))
        return Error::msg("rootfs.file " + out.rootfs_path + ": not a regular file");
    // A cheap guard against a truncated or half-copied disk: the full check is dm-verity's.
    if (static_cast<uint64_t>(st.st_size) != out.rootfs_size)
        return Error::msg("rootfs.size " + std::to_string(out.rootfs_size) + " does not match " + out.rootfs_path +
                          " (" + std::to_string(st.st_size) + " bytes): a truncated or different copy?");
    return {};
}

Result<WorkloadFile> parse(const std::string& text, const std::string& dir, WorkloadFile out) {
    auto config = CW_TRY(workload::parse_workload_config(text, out.config_path));
    out.tee = workload::tee_name(config.tee);
    out.cpus = config.cpus;
    out.ram_mib = config.ram_mib;
    if (config.attestation)
        out.attestation = config.attestation->server;
    CW_TRY(check_rootfs(config.rootfs, dir, out).context(out.config_path));
    return out;
}

}  // namespace

Result<WorkloadFile> read_workload_file(const std::string& workload) {
    if (workload.empty())
        return Error::msg("empty WORKLOAD path");
    struct stat st {};
    if (::stat(workload.c_str(), &st) != 0)
        return Error::sys("WORKLOAD " + workload);
    WorkloadFile out;
    std::string dir;
    if (S_ISDIR(st.st_mode)) {
        dir = workload.back() == '/' ? workload : workload + "/";
        out.config_path = dir + kWorkloadFileName;
    } else {
        out.config_path = workload;
        const size_t slash = workload.rfind('/');
        dir = slash == std::string::npos ? "" : workload.substr(0, slash + 1);
    }
    const std::string path = out.config_path;
    const std::string text = CW_TRY(read_bounded(path));
    return parse(text, dir, std::move(out));
}

}  // namespace cw::cwrun
