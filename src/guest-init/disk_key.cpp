#include "guest-init/disk_key.h"

#include <openssl/crypto.h>

#include <thread>

#include "guest-init/tee_evidence.h"
#include "guest-init/vsock.h"

namespace cw::guest {

attest::protocol::Connector vsock_connector(uint32_t port, std::chrono::milliseconds timeout) {
    return [port, timeout]() { return vsock_connect_host(port, timeout); };
}

Result<DiskSecret> fetch_with_retries(const KeyAttempt& attempt, const RetryPolicy& policy, KeyFailure* failure) {
    KeyFailure ignored;
    KeyFailure& why = failure != nullptr ? *failure : ignored;
    why = KeyFailure::None;
    auto sleep = policy.sleep ? policy.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    std::chrono::milliseconds backoff = policy.first_backoff;
    const unsigned attempts = policy.max_attempts == 0 ? 1 : policy.max_attempts;
    for (unsigned i = 1;; ++i) {
        bool connect_failed = false;
        auto key = attempt(connect_failed);
        if (key.ok()) {
            std::vector<uint8_t> bytes = std::move(key).value();
            if (bytes.size() != kDiskSecretSize) {
                OPENSSL_cleanse(bytes.data(), bytes.size());
                why = KeyFailure::Refused;
                return Error::msg("the attestation server released a " + std::to_string(bytes.size()) +
                                  "-byte disk secret, expected " + std::to_string(kDiskSecretSize));
            }
            DiskSecret secret(std::span<const uint8_t, kDiskSecretSize>(bytes.data(), kDiskSecretSize));
            OPENSSL_cleanse(bytes.data(), bytes.size());
            return secret;
        }
        if (!connect_failed) {
            why = KeyFailure::Refused;
            return std::move(key).error();
        }
        if (i >= attempts) {
            why = KeyFailure::Unreachable;
            return std::move(key).error().context("attestation server unreachable after " + std::to_string(i) +
                                                  " attempts");
        }
        sleep(backoff);
        backoff *= 2;
    }
}

Result<DiskSecret> fetch_disk_secret(const GuestPlan& plan, KeyFailure* failure) {
    if (!plan.attest)
        return Error::msg("the plan has no attestation server");
    const AttestPlan& a = *plan.attest;
    auto tee = plan.tee == GuestTee::Snp   ? attest::protocol::Tee::Snp
               : plan.tee == GuestTee::Tdx ? attest::protocol::Tee::Tdx
                                           : attest::protocol::Tee::Sim;
    auto evidence = evidence_provider(plan.tee);
    KeyAttempt attempt = [&](bool& connect_failed) {
        attest::protocol::Connector inner = vsock_connector(a.vsock_port, std::chrono::seconds(5));
        attest::protocol::ClientConfig config;
        config.connect = [&connect_failed, inner]() {
            auto fd = inner();
            connect_failed = !fd.ok();
            return fd;
        };
        config.server_name = a.server_name;
        config.ca_pem = a.ca_pem;
        config.workload = plan.workload_id;
        config.tee = tee;
        return attest::protocol::fetch_disk_key(config, evidence);
    };
    RetryPolicy policy;
    policy.max_attempts = a.max_attempts;
    policy.first_backoff = std::chrono::milliseconds(a.first_backoff_ms);
    return fetch_with_retries(attempt, policy, failure);
}

}  // namespace cw::guest
