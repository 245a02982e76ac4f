// How krun reports a failure to its caller. Podman names the runtime krun in its
// runtime_supports_json list, so conmon passes --log FILE --log-format=json and, when a verb
// fails, reads FILE as ONE JSON object {"msg","level","time"} (crun's format) and shows msg.
// The same line also goes to stderr ("krun: msg") for a person or a caller without --log.
// Podman maps messages to exit codes by regex: "permission denied|operation not permitted"
// to 126, "executable file not found in|no such file or directory" to 127, anything else to
// 126 for create; krun's own refusals are worded to avoid the 127 patterns.
#pragma once

#include <string>

namespace cw::krun {

// The log file's contents for one error.
[[nodiscard]] std::string json_log_entry(const std::string& message, const std::string& time);

// Writes the error to stderr and, when `log_path` is set, to that file (JSON or text).
void report_error(const std::string& message, const std::string& log_path, bool json);

// Now as RFC 3339 with nanoseconds, UTC: 2026-11-24T10:00:00.123456789Z.
[[nodiscard]] std::string rfc3339_now();

}  // namespace cw::krun
