#include "cwrun/attest_url.h"

#include <string_view>

#include "cwrun/printable.h"

namespace cw::cwrun {

Result<AttestUrl> parse_attest_url(const std::string& url, const std::string& what) {
    constexpr std::string_view kScheme = "https://";
    auto bad = [&](const std::string& why) { return Error::msg(what + " \"" + printable(url) + "\": " + why); };
    if (!url.starts_with(kScheme))
        return bad("expected https://HOST[:PORT]");
    std::string_view rest = std::string_view(url).substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    for (char c : rest) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '@')
            return bad("nothing may follow HOST[:PORT] (no path, query, user or spaces)");
    }
    AttestUrl out;
    std::string_view port;
    bool has_port = false;
    if (rest.starts_with('[')) {
        const size_t close = rest.find(']');
        if (close == std::string_view::npos)
            return bad("unclosed [");
        out.host = std::string(rest.substr(1, close - 1));
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':')
                return bad("expected :PORT after ]");
            port = rest.substr(close + 2);
            has_port = true;
        }
        if (out.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
            return bad("not an IPv6 address in brackets");
    } else {
        const size_t colon = rest.find(':');
        out.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = rest.substr(colon + 1);
            has_port = true;
        }
        if (out.host.find_first_of("[]") != std::string::npos)
            return bad("write an IPv6 address in brackets: https://[ADDR]:PORT");
    }
    if (out.host.empty())
        return bad("no host");
    if (has_port) {
        unsigned value = 0;
        for (char c : port) {
            if (c < '0' || c > '9' || value > 65535)
                return bad("bad port");
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (port.empty() || value == 0 || value > 65535)
            return bad("bad port");
        out.port = static_cast<uint16_t>(value);
    }
    return out;
}

std::string vsock_forward_spec(uint32_t vsock_port, const AttestUrl& to) {
    const bool v6 = to.host.find(':') != std::string::npos;
    return std::to_string(vsock_port) + "=" + (v6 ? "[" + to.host + "]" : to.host) + ":" + std::to_string(to.port);
}

}  // namespace cw::cwrun
