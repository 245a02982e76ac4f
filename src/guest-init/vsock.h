// AF_VSOCK streams to the host (CID 2): the sim report service and the attestation server
// forward (cwrun --vsock-forward). Shared with the device tests (tests/guest).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::guest {

inline constexpr uint32_t kHostCid = 2;

// A stream connected to the host's `port`, within `timeout`.
Result<UniqueFd> vsock_connect_host(uint32_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Reads exactly out.size() bytes, each wait bounded by `timeout`; EOF first is an error.
Result<void> read_exact(int fd, std::span<uint8_t> out, std::chrono::milliseconds timeout);
// Sends all of `data` on a stream socket (a closed peer is an error, not SIGPIPE).
Result<void> write_all(int fd, std::span<const uint8_t> data);

}  // namespace cw::guest
