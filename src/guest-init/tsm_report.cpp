#include "guest-init/tsm_report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "base/unique_fd.h"

namespace cw::guest {

namespace {

// Reads a whole attribute, refusing more than `max` bytes. configfs binary attributes
// return their content on the first reads and then EOF.
Result<std::vector<uint8_t>> read_attribute(const std::string& path, size_t max, bool& missing) {
    missing = false;
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ENOENT) {
            missing = true;
            return std::vector<uint8_t>();
        }
        return Error::sys("opening " + path);
    }
    std::vector<uint8_t> data(max + 1);
    size_t got = 0;
    while (got < data.size()) {
        ssize_t n = read(fd.get(), data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("reading " + path);
        if (n == 0)
            break;
        got += static_cast<size_t>(n);
    }
    if (got > max)
        return Error::msg(path + ": more than " + std::to_string(max) + " bytes");
    data.resize(got);
    return data;
}

Result<std::string> read_text(const std::string& path, size_t max) {
    bool missing = false;
    auto bytes = CW_TRY(read_attribute(path, max, missing));
    if (missing)
        return Error::sys("opening " + path, ENOENT);
    std::string text(bytes.begin(), bytes.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0'))
        text.pop_back();
    return text;
}

Result<std::string> read_generation(const std::string& entry) {
    std::string g = CW_TRY(read_text(entry + "/generation", 32));
    if (g.empty() || g.find_first_not_of("0123456789") != std::string::npos)
        return Error::msg(entry + "/generation: not a number");
    return g;
}

}  // namespace

Result<TsmReport> tsm_report_in(const std::string& entry, const std::array<uint8_t, 64>& inblob,
                                const std::string& expected_provider) {
    TsmReport report;
    report.provider = CW_TRY(read_text(entry + "/provider", 64).context("configfs-tsm"));
    if (report.provider != expected_provider)
        return Error::msg("configfs-tsm: provider is \"" + report.provider + "\", expected \"" + expected_provider +
                          "\"");
    {
        std::string path = entry + "/inblob";
        UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd.valid())
            return Error::sys("configfs-tsm: opening " + path);
        ssize_t n = write(fd.get(), inblob.data(), inblob.size());
        if (n != static_cast<ssize_t>(inblob.size()))
            return Error::sys("configfs-tsm: writing " + path);
    }
    std::string before = CW_TRY(read_generation(entry).context("configfs-tsm"));
    bool missing = false;
    report.outblob = CW_TRY(read_attribute(entry + "/outblob", kTsmOutblobMax, missing).context("configfs-tsm"));
    if (missing || report.outblob.empty())
        return Error::msg("configfs-tsm: " + entry + "/outblob is empty");
    report.auxblob = CW_TRY(read_attribute(entry + "/auxblob", kTsmAuxblobMax, missing).context("configfs-tsm"));
    std::string after = CW_TRY(read_generation(entry).context("configfs-tsm"));
    if (before != after)
        return Error::msg("configfs-tsm: the report entry was written by someone else (generation " + before + " -> " +
                          after + ")");
    return report;
}

Result<TsmReport> tsm_report(const std::string& root, const std::array<uint8_t, 64>& inblob,
                             const std::string& expected_provider) {
    static std::atomic<unsigned> counter{0};
    std::string entry = root + "/cw-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    if (mkdir(entry.c_str(), 0700) != 0)
        return Error::sys("configfs-tsm: mkdir " + entry);
    auto report = tsm_report_in(entry, inblob, expected_provider);
    if (rmdir(entry.c_str()) != 0 && report.ok())
        return Error::sys("configfs-tsm: rmdir " + entry);
    return report;
}

}  // namespace cw::guest
