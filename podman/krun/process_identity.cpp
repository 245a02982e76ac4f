#include "process_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/unique_fd.h"

namespace cw::krun {

namespace {

// /proc/PID/stat: "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
// fields are counted from the last ')'.
std::optional<std::string> stat_line(int pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return std::nullopt;
    char buf[1024];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0)
        return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

// Field `index` (1-based, as in proc(5)) of a stat line, for index >= 3.
std::optional<std::string> stat_field(const std::string& line, int index) {
    size_t pos = line.rfind(')');
    if (pos == std::string::npos)
        return std::nullopt;
    pos += 2;  // ") "
    for (int field = 3; field < index; ++field) {
        pos = line.find(' ', pos);
        if (pos == std::string::npos)
            return std::nullopt;
        ++pos;
    }
    size_t end = line.find(' ', pos);
    return line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace

std::optional<uint64_t> process_start_time(int pid) {
    if (pid <= 0)
        return std::nullopt;
    auto line = stat_line(pid);
    if (!line)
        return std::nullopt;
    auto field = stat_field(*line, 22);
    if (!field || field->empty() || field->find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(*field);
}

bool process_alive(int pid, uint64_t start_time) {
    if (pid <= 0)
        return false;
    auto line = stat_line(pid);
    if (!line)
        return false;
    auto state = stat_field(*line, 3);
    auto start = stat_field(*line, 22);
    if (!state || !start || *state == "Z" || *state == "X")
        return false;
    return start->find_first_not_of("0123456789") == std::string::npos && !start->empty() &&
           std::stoull(*start) == start_time;
}

}  // namespace cw::krun
