#include "devices/virtio/vsock/vsock_config.h"

#include <sys/un.h>

#include <charconv>
#include <set>

#include "devices/virtio/vsock/vsock_spec.h"

namespace cw::devices::virtio {

namespace {

// VMADDR_CID_ANY and VMADDR_PORT_ANY: the guest's vsock layer reserves them.
constexpr uint64_t kCidAny = 0xffffffff;
constexpr uint32_t kPortAny = 0xffffffff;

template <class T>
Result<T> parse_number(std::string_view text, std::string_view what) {
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end)
        return Error::msg(std::string(what) + " '" + std::string(text) + "' is not a number in range");
    return value;
}

Result<uint32_t> parse_vsock_port(std::string_view text) {
    const auto port = CW_TRY(parse_number<uint32_t>(text, "vsock port"));
    if (port == kPortAny)
        return Error::msg("vsock port " + std::string(text) + " is reserved (VMADDR_PORT_ANY)");
    return port;
}

Result<void> check_unix_path(const std::string& path) {
    if (path.empty())
        return Error::msg("empty Unix socket path");
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
        return Error::msg("Unix socket path '" + path + "' is longer than " +
                          std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
    if (path.find('\0') != std::string::npos)
        return Error::msg("Unix socket path contains a NUL byte");
    return {};
}

}  // namespace

Result<VsockHostTarget> parse_vsock_forward(std::string_view text) {
    const auto context = "--vsock-forward '" + std::string(text) + "'";
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos)
        return Error::msg(context + ": expected PORT=HOST:PORT or PORT=unix:PATH");
    VsockHostTarget target;
    target.port = CW_TRY(parse_vsock_port(text.substr(0, eq)).context(context));
    std::string_view where = text.substr(eq + 1);
    if (where.starts_with("unix:")) {
        target.unix_path = std::string(where.substr(5));
        CW_TRY(check_unix_path(target.unix_path).context(context));
        return target;
    }
    std::string_view host;
    std::string_view port;
    if (where.starts_with('[')) {  // [IPv6]:PORT
        const size_t close = where.find(']');
        if (close == std::string_view::npos || where.substr(close + 1, 1) != ":")
            return Error::msg(context + ": expected [IPV6]:PORT");
        host = where.substr(1, close - 1);
        port = where.substr(close + 2);
    } else {
        const size_t colon = where.rfind(':');
        if (colon == std::string_view::npos)
            return Error::msg(context + ": expected HOST:PORT or unix:PATH after '='");
        host = where.substr(0, colon);
        port = where.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return Error::msg(context + ": write an IPv6 address in brackets: [ADDR]:PORT");
    }
    if (host.empty())
        return Error::msg(context + ": empty host");
    target.tcp_host = std::string(host);
    target.tcp_port = CW_TRY(parse_number<uint16_t>(port, "TCP port").context(context));
    if (target.tcp_port == 0)
        return Error::msg(context + ": TCP port 0");
    return target;
}

Result<VsockGuestListener> parse_vsock_listen(std::string_view text) {
    const auto context = "--vsock-listen '" + std::string(text) + "'";
    const size_t eq = text.rfind('=');
    if (eq == std::string_view::npos)
        return Error::msg(context + ": expected PATH=PORT");
    VsockGuestListener listener;
    listener.unix_path = std::string(text.substr(0, eq));
    CW_TRY(check_unix_path(listener.unix_path).context(context));
    listener.guest_port = CW_TRY(parse_vsock_port(text.substr(eq + 1)).context(context));
    return listener;
}

Result<void> validate_vsock_config(const VsockConfig& config) {
    if (config.guest_cid < kVsockMinGuestCid || config.guest_cid >= kCidAny)
        return Error::msg("vsock: guest CID " + std::to_string(config.guest_cid) + " is reserved (use 3..4294967294)");
    std::set<uint32_t> ports;
    for (const auto& t : config.targets) {
        const auto context = "vsock: target for port " + std::to_string(t.port);
        if (!ports.insert(t.port).second)
            return Error::msg(context + ": port given twice");
        if (t.port == kPortAny)
            return Error::msg(context + ": port is reserved");
        if (t.unix_path.empty() == t.tcp_host.empty())
            return Error::msg(context + ": needs exactly one of a Unix path or a TCP host");
        if (!t.unix_path.empty())
            CW_TRY(check_unix_path(t.unix_path).context(context));
        else if (t.tcp_port == 0)
            return Error::msg(context + ": TCP port 0");
    }
    std::set<std::string> paths;
    for (const auto& l : config.listeners) {
        const auto context = "vsock: listener '" + l.unix_path + "'";
        CW_TRY(check_unix_path(l.unix_path).context(context));
        if (!paths.insert(l.unix_path).second)
            return Error::msg(context + ": path given twice");
        if (l.guest_port == kPortAny)
            return Error::msg(context + ": guest port is reserved");
    }
    return {};
}

}  // namespace cw::devices::virtio
