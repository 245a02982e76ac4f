// What the VMM configures for a virtio-vsock device, and the cwrun option syntax for it.
// Pure data and parsing: no sockets (host_endpoint.h opens them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::devices::virtio {

// Where a guest connection to host port `port` goes: a Unix socket path or a TCP address
// (IPv4/IPv6 literal, or a name resolved once when the device is created).
struct VsockHostTarget {
    uint32_t port = 0;
    std::string unix_path;
    std::string tcp_host;
    uint16_t tcp_port = 0;
};

// Host clients connecting to `unix_path` reach guest port `guest_port`. The device creates
// the socket (replacing a stale one) and removes it when it goes away.
struct VsockGuestListener {
    std::string unix_path;
    uint32_t guest_port = 0;
};

struct VsockConfig {
    uint64_t guest_cid = 3;
    std::vector<VsockHostTarget> targets;
    std::vector<VsockGuestListener> listeners;
};

// "PORT=HOST:PORT", "PORT=[IPV6]:PORT" or "PORT=unix:PATH".
[[nodiscard]] Result<VsockHostTarget> parse_vsock_forward(std::string_view text);
// "PATH=PORT" (the last '=' separates them, so the path may contain '=').
[[nodiscard]] Result<VsockGuestListener> parse_vsock_listen(std::string_view text);

// The checks Vsock::create() makes before opening anything: guest CID 3..2^32-2, one
// target per port, exactly one kind of address per target, paths that fit sun_path, one
// listener per path.
[[nodiscard]] Result<void> validate_vsock_config(const VsockConfig& config);

}  // namespace cw::devices::virtio
