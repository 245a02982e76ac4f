#include "cwrun/workload_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/unique_fd.h"
#include "cwrun/printable.h"

namespace cw::cwrun {

namespace {

using Json = nlohmann::json;

Result<std::string> read_bounded(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys(path);
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

// An integer field in [min, max]; workload.json has integers only.
Result<uint64_t> get_integer(const Json& j, const char* key, uint64_t min, uint64_t max) {
    auto it = j.find(key);
    if (it == j.end())
        return Error::msg(std::string("no ") + key);
    if (!it->is_number_integer())
        return Error::msg(std::string(key) + " is not an integer");
    if (it->is_number_unsigned()) {
        auto value = it->get<uint64_t>();
        if (value >= min && value <= max)
            return value;
    }
    std::string shown = it->dump();
    return Error::msg(std::string(key) + " " + shown + ": must be between " + std::to_string(min) + " and " +
                      std::to_string(max));
}

Result<std::string> get_string(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end())
        return Error::msg(std::string("no ") + key);
    if (!it->is_string())
        return Error::msg(std::string(key) + " is not a string");
    return it->get<std::string>();
}

// rootfs.file: a plain name, so the disk is the one oci2cw put beside workload.json and
// nothing else on the host.
Result<void> check_file_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos || name.size() > 255)
        return Error::msg("rootfs.file \"" + printable(name) +
                          "\": expected a file name beside workload.json (no '/', not . or ..)");
    return {};
}

Result<void> read_rootfs(const Json& j, const std::string& dir, WorkloadFile& out) {
    auto it = j.find("rootfs");
    if (it == j.end())
        return Error::msg("no rootfs");
    if (!it->is_object())
        return Error::msg("rootfs is not an object");
    const std::string name = CW_TRY(get_string(*it, "file").context("rootfs"));
    CW_TRY(check_file_name(name));
    out.rootfs_size = CW_TRY(
        get_integer(*it, "size", 1, static_cast<uint64_t>(std::numeric_limits<int64_t>::max())).context("rootfs"));
    out.rootfs_path = dir + name;
    struct stat st {};
    if (::stat(out.rootfs_path.c_str(), &st) != 0)
        return Error::sys("rootfs.file " + out.rootfs_path);
    if (!S_ISREG(st.st_mode))
        return Error::msg("rootfs.file " + out.rootfs_path + ": not a regular file");
    // A cheap guard against a truncated or half-copied disk: the full check is dm-verity's.
    if (static_cast<uint64_t>(st.st_size) != out.rootfs_size)
        return Error::msg("rootfs.size " + std::to_string(out.rootfs_size) + " does not match " + out.rootfs_path +
                          " (" + std::to_string(st.st_size) + " bytes): a truncated or different copy?");
    return {};
}

Result<WorkloadFile> parse(const std::string& text, const std::string& dir, WorkloadFile out) {
    Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return Error::msg("not a JSON document");
    if (!j.is_object())
        return Error::msg("not a JSON object");
    auto version = j.find("version");
    if (version == j.end())
        return Error::msg("no version");
    if (!version->is_number_unsigned() || version->get<uint64_t>() != 1)
        return Error::msg("version " + version->dump().substr(0, 40) + ": this cwrun knows version 1 only");
    out.tee = CW_TRY(get_string(j, "tee"));
    if (out.tee != "none" && out.tee != "sim" && out.tee != "snp" && out.tee != "tdx")
        return Error::msg("tee \"" + printable(out.tee) + "\": expected none, sim, snp or tdx");
    out.cpus = static_cast<uint32_t>(CW_TRY(get_integer(j, "cpus", 1, 64)));
    out.ram_mib = static_cast<uint32_t>(CW_TRY(get_integer(j, "ram_mib", 32, std::numeric_limits<uint32_t>::max())));
    CW_TRY(read_rootfs(j, dir, out));
    if (j.contains("attestation_url")) {
        std::string url = CW_TRY(get_string(j, "attestation_url"));
        out.attestation = CW_TRY(parse_attest_url(url, "attestation_url"));
    }
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
    return parse(text, dir, std::move(out)).context(path);
}

}  // namespace cw::cwrun
