// The TLS/HTTP front end: accepts connections, terminates TLS (OpenSSL via Boost.Asio), parses
// HTTP/1.1 with Boost.Beast under hard limits, and hands each request to one synchronous
// handler on an I/O thread. Everything protocol-specific lives in the handler.
//
// Limits, all enforced before the handler runs: TLS handshake 10 s; a whole request (headers
// and body) 30 s; headers 8 KiB; body kMaxBodyBytes (413 otherwise); at most max_connections
// open connections (further ones are closed at once); keep-alive with up to 1000 requests per
// connection, idle for at most 30 s. A client that breaks any of them loses its connection,
// never the server; an oversized body gets its 413 before the connection closes (a bounded
// lingering close reads and discards the rest of it).
//
// Trust: none in the peer. The certificate and key files are the operator's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "server/http_types.h"

namespace cw::attest::server {

struct ListenerConfig {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: an ephemeral port (see HttpsListener::port)
    std::string cert_file;  // PEM chain, leaf first
    std::string key_file;   // PEM private key
    size_t max_body_bytes = 256 * 1024;
    size_t max_connections = 1024;
    unsigned threads = 0;  // 0: four per CPU (handlers block on crypto and fsync), 4 to 64
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpsListener {
public:
    // Loads the certificate and key (checking they match) and binds the socket; does not
    // accept yet.
    static Result<std::unique_ptr<HttpsListener>> create(const ListenerConfig& config, RequestHandler handler);
    ~HttpsListener();
    HttpsListener(const HttpsListener&) = delete;
    HttpsListener& operator=(const HttpsListener&) = delete;

    [[nodiscard]] uint16_t port() const;
    // Serves on the configured number of threads until stop() (or SIGINT/SIGTERM when
    // handle_signals); returns after every thread has finished.
    void run(bool handle_signals);
    void stop();

    struct Impl;

private:
    explicit HttpsListener(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace cw::attest::server
