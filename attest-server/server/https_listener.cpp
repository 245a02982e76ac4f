// Structure follows Beast's http_server_async_ssl example: one Connection object per socket,
// alive while an operation on it is pending, all of its handlers on one strand.
#include "server/https_listener.h"

// Asio's templates default enable_if parameters to a literal 0, which the warning reports at
// our call sites (dispatch, async_*); the warning stays on everywhere else.
#pragma GCC diagnostic ignored "-Wzero-as-null-pointer-constant"
// GCC 12 also reports a "potential null dereference" inside Asio's scheduler (scheduler.ipp).
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

namespace cw::attest::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kRequestTimeout = std::chrono::seconds(30);  // also the keep-alive idle time
constexpr auto kShutdownTimeout = std::chrono::seconds(5);
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 4 * 1024 * 1024;
constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr unsigned kMaxRequestsPerConnection = 1000;

struct Shared {
    RequestHandler handler;
    size_t max_body_bytes = 0;
    size_t max_connections = 0;
    std::atomic<size_t> open_connections{0};
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, ssl::context& tls, Shared& shared)
        : m_stream(std::move(socket), tls), m_shared(shared) {
        beast::error_code ec;
        auto remote = beast::get_lowest_layer(m_stream).socket().remote_endpoint(ec);
        if (!ec)
            m_peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    ~Connection() { m_shared.open_connections.fetch_sub(1); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start() {
        // The strand of the accepted socket runs every handler of this connection.
        asio::dispatch(m_stream.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->m_stream).expires_after(kHandshakeTimeout);
            self->m_stream.async_handshake(ssl::stream_base::server,
                                           [self](beast::error_code ec) { self->on_handshake(ec); });
        });
    }

private:
    void on_handshake(beast::error_code ec) {
        if (ec)
            return;  // a failed handshake has nobody to tell; the socket closes with us
        read_request();
    }

    void read_request() {
        m_parser.emplace();
        m_parser->header_limit(kHeaderLimit);
        m_parser->body_limit(m_shared.max_body_bytes);
        beast::get_lowest_layer(m_stream).expires_after(kRequestTimeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream)
            return shutdown();
        if (ec == http::error::body_limit) {
            HttpResponse reply = error_response(413, "body_too_large", "request body exceeds " +
                                                                            std::to_string(m_shared.max_body_bytes) + " bytes");
            m_linger = true;
            return send(std::move(reply), false);
        }
        if (ec == http::error::header_limit)
            return send(error_response(431, "bad_request", "request headers exceed 8 KiB"), false);
        if (ec) {
            // Timeouts, resets and malformed HTTP: Beast could not frame a request, so there is
            // no reliable place to write a reply. Drop the connection.
            if (ec.category() == http::make_error_code(http::error::bad_method).category())
                return send(error_response(400, "bad_request", "malformed HTTP: " + ec.message()), false);
            return;
        }
        auto& message = m_parser->get();
        HttpRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        if (auto it = message.find(http::field::authorization); it != message.end())
            request.authorization = std::string(it->value());
        request.body = std::move(message.body());
        request.peer = m_peer;
        bool keep_alive = message.keep_alive() && ++m_requests < kMaxRequestsPerConnection;

        HttpResponse reply;
        try {
            reply = m_shared.handler(request);
        } catch (const std::exception& e) {
            // Handlers return errors as replies; an exception here is a bug, reported as a
            // 500 rather than taking the server down.
            reply = error_response(500, "internal_error", e.what());
        }
        send(std::move(reply), keep_alive);
    }

    void send(HttpResponse reply, bool keep_alive) {
        m_response = {};
        m_response.version(11);
        m_response.result(reply.status);
        m_response.set(http::field::server, "cw-attest-server");
        m_response.set(http::field::content_type, reply.content_type);
        m_response.set(http::field::cache_control, "no-store");
        m_response.body() = std::move(reply.body);
        m_response.keep_alive(keep_alive);
        m_response.prepare_payload();
        http::async_write(m_stream, m_response,
                          [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                              if (ec)
                                  return;
                              if (keep_alive)
                                  self->read_request();
                              else if (self->m_linger)
                                  self->linger();
                              else
                                  self->shutdown();
                          });
    }

    // After refusing a request whose body we did not read, the client may still be sending it;
    // closing now would make the kernel answer with a reset that destroys our reply before the
    // client reads it. So read and discard for a while (bounded, as nginx's lingering close).
    void linger() {
        if (m_lingered >= kLingerBytes)
            return shutdown();
        beast::get_lowest_layer(m_stream).expires_after(kLingerTimeout);
        m_stream.async_read_some(asio::buffer(m_scratch), [self = shared_from_this()](beast::error_code ec, size_t n) {
            if (ec)
                return self->shutdown();
            self->m_lingered += n;
            self->linger();
        });
    }

    void shutdown() {
        beast::get_lowest_layer(m_stream).expires_after(kShutdownTimeout);
        m_stream.async_shutdown([self = shared_from_this()](beast::error_code) {});
    }

    beast::ssl_stream<beast::tcp_stream> m_stream;
    Shared& m_shared;
    std::string m_peer = "unknown";
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    http::response<http::string_body> m_response;
    unsigned m_requests = 0;
    bool m_linger = false;
    size_t m_lingered = 0;
    std::array<char, 16 * 1024> m_scratch{};
};

}  // namespace

struct HttpsListener::Impl {
    // Declaration order is destruction order in reverse: the io_context (and with it any
    // Connection still queued in it) goes before the state connections refer to.
    Shared shared;
    ssl::context tls{ssl::context::tls_server};
    unsigned threads = 1;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    uint16_t port = 0;

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted)
                return;  // stopping
            if (!ec) {
                if (shared.open_connections.fetch_add(1) >= shared.max_connections) {
                    shared.open_connections.fetch_sub(1);
                    beast::error_code ignored;
                    socket.close(ignored);  // over the limit: refuse before any TLS work
                } else {
                    std::make_shared<Connection>(std::move(socket), tls, shared)->start();
                }
            }
            accept();
        });
    }
};

HttpsListener::HttpsListener(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
HttpsListener::~HttpsListener() = default;

Result<std::unique_ptr<HttpsListener>> HttpsListener::create(const ListenerConfig& config, RequestHandler handler) {
    auto impl = std::make_unique<Impl>();
    impl->shared.handler = std::move(handler);
    impl->shared.max_body_bytes = config.max_body_bytes;
    impl->shared.max_connections = config.max_connections;
    // Handlers run synchronously and block: on crypto, and on the store's fsync for the audit
    // record of every release (group commit, a few ms). With one thread per CPU the CPUs idle
    // during those waits; four per CPU kept them busy in bench/attest (ratio 0.65 -> 0.84 at
    // 64 clients on 2 cores).
    impl->threads = config.threads ? config.threads : std::clamp(4 * std::thread::hardware_concurrency(), 4u, 64u);

    // TLS 1.2 or newer only; the guest client insists on 1.2+ as well.
    SSL_CTX* ctx = impl->tls.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1)
        return Error::msg("TLS certificate '" + config.cert_file + "': cannot load a PEM certificate chain");
    if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        return Error::msg("TLS key '" + config.key_file + "': cannot load a PEM private key");
    if (SSL_CTX_check_private_key(ctx) != 1)
        return Error::msg("TLS key '" + config.key_file + "' does not match certificate '" + config.cert_file + "'");

    beast::error_code ec;
    auto address = asio::ip::make_address(config.address, ec);
    if (ec)
        return Error::msg("listen address '" + config.address + "': " + ec.message());
    tcp::endpoint endpoint(address, config.port);
    auto& acceptor = impl->acceptor;
    std::string where = config.address + ":" + std::to_string(config.port);
    if (acceptor.open(endpoint.protocol(), ec); ec)
        return Error::msg("socket for " + where + ": " + ec.message());
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
        return Error::msg("SO_REUSEADDR on " + where + ": " + ec.message());
    if (acceptor.bind(endpoint, ec); ec)
        return Error::msg("bind " + where + ": " + ec.message());
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
        return Error::msg("listen on " + where + ": " + ec.message());
    impl->port = acceptor.local_endpoint(ec).port();
    return std::unique_ptr<HttpsListener>(new HttpsListener(std::move(impl)));
}

uint16_t HttpsListener::port() const {
    return m_impl->port;
}

void HttpsListener::run(bool handle_signals) {
    Impl& impl = *m_impl;
    std::optional<asio::signal_set> signals;
    if (handle_signals) {
        signals.emplace(impl.io, SIGINT, SIGTERM);
        signals->async_wait([this](beast::error_code ec, int) {
            if (!ec)
                stop();
        });
    }
    impl.accept();
    std::vector<std::thread> workers;
    for (unsigned i = 1; i < impl.threads; ++i)
        workers.emplace_back([&impl] { impl.io.run(); });
    impl.io.run();
    for (auto& worker : workers)
        worker.join();
}

void HttpsListener::stop() {
    asio::post(m_impl->io, [impl = m_impl.get()] {
        beast::error_code ignored;
        impl->acceptor.close(ignored);
        impl->io.stop();
    });
}

}  // namespace cw::attest::server
