// Fetching the disk secret from the attestation server over vsock, with bounded retries.
//
// Retry rule: only an attempt whose connection could not be made (server or forward not
// up yet) is retried, with doubling backoff, up to the plan's attempt limit. Anything after
// a connection (a refusal, a TLS failure against the pinned CA, bad evidence) ends the boot
// at once: retrying a refusal cannot change the answer, and a fresh nonce per try would
// only hide the reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/result.h"
#include "guest-init/guest_plan.h"
#include "guest-init/secret_key.h"
#include "protocol/client.h"

namespace cw::guest {

enum class KeyFailure { None, Unreachable, Refused };

// A vsock Connector to host port `port` (cwrun --vsock-forward maps it to the server).
attest::protocol::Connector vsock_connector(uint32_t port, std::chrono::milliseconds timeout);

struct RetryPolicy {
    unsigned max_attempts = 5;
    std::chrono::milliseconds first_backoff{200};
    std::function<void(std::chrono::milliseconds)> sleep;  // default: nanosleep
};

// One attempt: a fetch that sets `connect_failed` when its connector could not connect.
using KeyAttempt = std::function<Result<std::vector<uint8_t>>(bool& connect_failed)>;

// Runs `attempt` under the retry rule; checks the key is 32 bytes and moves it into a
// DiskSecret (the vector is wiped). `failure` says which kind of error ended it.
Result<DiskSecret> fetch_with_retries(const KeyAttempt& attempt, const RetryPolicy& policy, KeyFailure* failure);

// The whole step from a plan: evidence for plan.tee, TLS to plan.attest over vsock.
Result<DiskSecret> fetch_disk_secret(const GuestPlan& plan, KeyFailure* failure);

}  // namespace cw::guest
