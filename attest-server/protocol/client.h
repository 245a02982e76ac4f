// The guest side of cw-attest/1: proves what the guest runs and fetches its disk key, over one
// TLS connection to the attestation server (auth -> attest -> resource/disk-key).
//
// Trust: the server is authenticated only by `ca_pem` (from the guest's measured configuration;
// the system trust store is never used) and `server_name`, checked against the certificate's
// DNS names or IP addresses. Everything the server sends is still parsed strictly and bounded.
// The disk key arrives wrapped to a P-384 key generated here for this boot and never stored.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "protocol/protocol.h"

namespace cw::attest::protocol {

// A TEE report or quote and the certificates that come with it (SNP VCEK/VLEK, ASK, ARK).
struct Evidence {
    std::vector<uint8_t> bytes;
    std::vector<std::vector<uint8_t>> certificates;
};

// Asks the TEE for evidence carrying these 64 bytes as REPORT_DATA.
using EvidenceProvider = std::function<Result<Evidence>(const std::array<uint8_t, 64>& report_data)>;

// Returns a connected stream socket to the server: TCP (tcp_connector), AF_VSOCK in the guest.
using Connector = std::function<Result<UniqueFd>()>;

struct ClientConfig {
    Connector connect;
    std::string server_name;  // for SNI and the certificate hostname/IP check
    std::string ca_pem;       // the only trust anchors (one or more PEM certificates)
    std::string workload;
    Tee tee = Tee::Sim;
    // Bounds the TLS handshakes and all HTTP exchanges together (a boot must not hang on a
    // server); the connector bounds its own connect.
    std::chrono::milliseconds timeout{10000};
};

namespace detail {
class TlsHttpConnection;
struct HttpReply;
}

// A client that keeps its TLS connection between key fetches (HTTP keep-alive), reconnecting
// when the server closes it. A guest fetches once (fetch_disk_key below); long-lived callers
// and bench/attest reuse one.
class AttestClient {
public:
    explicit AttestClient(ClientConfig config);
    ~AttestClient();
    AttestClient(const AttestClient&) = delete;
    AttestClient& operator=(const AttestClient&) = delete;

    // Runs auth -> attest -> disk-key and returns the unwrapped disk key (the caller wipes it).
    // A fresh per-boot key and nonce every call; config.timeout bounds each call.
    // A refusal becomes "attestation server refused <step>: <error> (<detail>): <message>".
    Result<std::vector<uint8_t>> fetch_disk_key(const EvidenceProvider& evidence);

private:
    Result<detail::HttpReply> exchange(std::string_view step, std::string_view target, std::string_view json,
                                       std::string_view bearer, std::chrono::steady_clock::time_point deadline);

    ClientConfig m_config;
    std::unique_ptr<detail::TlsHttpConnection> m_connection;
};

// One key fetch on a new connection.
Result<std::vector<uint8_t>> fetch_disk_key(const ClientConfig& config, const EvidenceProvider& evidence);

// Connects over TCP to host (a name or an address) and port, each call, within `timeout`.
Result<Connector> tcp_connector(std::string host, uint16_t port,
                                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

}  // namespace cw::attest::protocol
