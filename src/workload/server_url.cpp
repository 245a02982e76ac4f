#include "workload/server_url.h"

namespace cw::workload {

Result<ServerUrl> parse_server_url(std::string_view url) {
    constexpr std::string_view kScheme = "https://";
    if (url.substr(0, kScheme.size()) != kScheme)
        return Error::msg("expected https://HOST[:PORT]");
    std::string_view rest = url.substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    for (char c : rest) {
        if (c == '/' || c == '?' || c == '#' || c == '@' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
            return Error::msg("nothing may follow HOST[:PORT] (no path, query, user or spaces)");
    }
    ServerUrl t;
    t.url = std::string(url);
    std::string_view port;
    bool has_port = false;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos)
            return Error::msg("unclosed [ in the host");
        t.host = std::string(rest.substr(1, close - 1));
        if (t.host.find(':') == std::string::npos)
            return Error::msg("only an IPv6 address goes in [ ]");
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':')
                return Error::msg("expected :PORT after ]");
            port = rest.substr(close + 2);
            has_port = true;
        }
    } else {
        size_t colon = rest.find(':');
        t.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = rest.substr(colon + 1);
            has_port = true;
        }
    }
    if (t.host.empty())
        return Error::msg("no host");
    if (has_port) {
        unsigned long value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || value > 65535)
                return Error::msg("bad port");
            value = value * 10 + static_cast<unsigned long>(c - '0');
        }
        if (value == 0 || value > 65535)
            return Error::msg("bad port");
        t.port = static_cast<uint16_t>(value);
    }
    return t;
}

}  // namespace cw::workload
