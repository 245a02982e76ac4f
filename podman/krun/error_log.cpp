#include "error_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace cw::krun {

std::string json_log_entry(const std::string& message, const std::string& time) {
    // error_handler_t::replace: a message quoting hostile bytes still makes valid JSON.
    return nlohmann::json{{"msg", message}, {"level", "error"}, {"time", time}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string rfc3339_now() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[64];
    std::snprintf(out, sizeof out, "%s.%09ldZ", date, now.tv_nsec);
    return out;
}

void report_error(const std::string& message, const std::string& log_path, bool json) {
    std::fprintf(stderr, "krun: %s\n", message.c_str());
    if (log_path.empty())
        return;
    std::string text = json ? json_log_entry(message, rfc3339_now()) : rfc3339_now() + " error: " + message + "\n";
    // JSON: the whole file is the one object, so truncate; text: append like a log.
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (json ? O_TRUNC : O_APPEND);
    int fd = ::open(log_path.c_str(), flags, 0600);
    if (fd < 0)
        return;  // the stderr line stands
    ssize_t written = ::write(fd, text.data(), text.size());
    (void)written;
    ::close(fd);
}

}  // namespace cw::krun
