#include "protocol/tls_http.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <array>

// Boost 1.74's Asio/Beast templates trip two of our warnings once instantiated here (a literal 0
// as a pointer in Beast's write path, and GCC's inlining-based null-dereference guess inside
// Asio's scheduler); this file is only the glue to them, so they are off for it alone.
#pragma GCC diagnostic ignored "-Wzero-as-null-pointer-constant"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "protocol/messages.h"
#include "protocol/protocol.h"

namespace cw::attest::protocol::detail {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using ErrorCode = boost::system::error_code;
using Protocol = net::generic::stream_protocol;
// basic_stream gives every operation a deadline (it closes the socket when one passes).
using Stream = ssl::stream<beast::basic_stream<Protocol>>;

namespace {

constexpr uint32_t kMaxHeaderBytes = 16 * 1024;

bool is_ip_address(const std::string& host) {
    std::array<uint8_t, 16> buf{};
    return inet_pton(AF_INET, host.c_str(), buf.data()) == 1 || inet_pton(AF_INET6, host.c_str(), buf.data()) == 1;
}

std::string describe(const ErrorCode& ec) {
    if (ec == beast::error::timeout)
        return "timed out";
    if (ec == http::error::body_limit)
        return "reply body larger than " + std::to_string(kMaxBodyBytes) + " bytes";
    if (ec == http::error::header_limit)
        return "reply header larger than " + std::to_string(kMaxHeaderBytes) + " bytes";
    return ec.message();
}

}  // namespace

std::string one_line(std::string_view text) {
    constexpr size_t kMaxShown = 256;
    std::string out;
    for (char c : text.substr(0, kMaxShown))
        out += (c >= 0x20 && c != 0x7F) || (c & 0x80) != 0 ? c : '?';
    return text.size() > kMaxShown ? out + "..." : out;
}

Error refusal_error(const HttpReply& reply, std::string_view step) {
    std::string prefix = "attestation server refused " + std::string(step) + ": ";
    auto body = parse_error_body(reply.body);
    if (!body.ok())
        return Error::msg(prefix + "HTTP " + std::to_string(reply.status) + " (" + body.error().message() + ")");
    std::string detail = body->detail.empty() ? "" : " (" + one_line(body->detail) + ")";
    return Error::msg(prefix + body->error + detail + ": " + one_line(body->message));
}

struct TlsHttpConnection::Impl {
    net::io_context io;
    ssl::context tls{ssl::context::tls_client};
    std::optional<Stream> stream;
    beast::flat_buffer buffer;
    std::string host_header;

    // Starts one asynchronous operation and runs it to completion or the deadline.
    template <class Start>
    ErrorCode run(Deadline deadline, Start&& start) {
        beast::get_lowest_layer(*stream).expires_at(deadline);
        ErrorCode result = net::error::operation_aborted;
        start([&result](ErrorCode ec, auto&&...) { result = ec; });
        io.restart();
        io.run();
        return result;
    }
};

TlsHttpConnection::TlsHttpConnection(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TlsHttpConnection::~TlsHttpConnection() = default;

Result<std::unique_ptr<TlsHttpConnection>> TlsHttpConnection::open(UniqueFd socket, const TlsSettings& settings,
                                                                   Deadline deadline) {
    const std::string& host = settings.server_name;
    if (host.empty())
        return Error::msg("TLS: no server name to verify the certificate against");
    if (settings.ca_pem.empty())
        return Error::msg("TLS: no CA certificate");
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(socket.get(), reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0)
        return Error::sys("TLS: getsockname on the connected socket");
    try {
        auto impl = std::make_unique<Impl>();
        SSL_CTX* ctx = impl->tls.native_handle();
        if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
            return Error::msg("TLS: cannot require TLS 1.2");
        // Only the configured CA: no default verify paths are loaded.
        ErrorCode ec;
        impl->tls.add_certificate_authority(net::buffer(settings.ca_pem), ec);
        if (ec)
            return Error::msg("TLS: CA certificate: " + ec.message());
        impl->tls.set_verify_mode(ssl::verify_peer, ec);
        if (ec)
            return Error::msg("TLS: " + ec.message());

        Protocol::socket raw(impl->io);
        raw.assign(Protocol(addr.ss_family, 0), socket.get(), ec);
        if (ec)
            return Error::msg("TLS: adopting the socket: " + ec.message());
        (void)socket.release();  // owned by asio from here
        impl->stream.emplace(beast::basic_stream<Protocol>(std::move(raw)), impl->tls);

        SSL* ssl_handle = impl->stream->native_handle();
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        bool ip = is_ip_address(host);
        if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1
               : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1)
            return Error::msg("TLS: cannot check the certificate against \"" + host + "\"");
        // SNI carries names only (RFC 6066); SSL_set_tlsext_host_name is a casting macro.
        if (!ip && SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                            const_cast<char*>(host.c_str())) != 1)
            return Error::msg("TLS: cannot set SNI \"" + host + "\"");
        impl->host_header = host.find(':') != std::string::npos ? "[" + host + "]" : host;

        ErrorCode handshake = impl->run(deadline, [&](auto handler) {
            impl->stream->async_handshake(ssl::stream_base::client, std::move(handler));
        });
        if (handshake) {
            long verify = SSL_get_verify_result(ssl_handle);
            std::string why = verify != X509_V_OK ? std::string("server certificate not accepted: ") +
                                                        X509_verify_cert_error_string(verify)
                                                  : describe(handshake);
            return Error::msg("TLS handshake with " + host + ": " + why);
        }
        return std::unique_ptr<TlsHttpConnection>(new TlsHttpConnection(std::move(impl)));
    } catch (const std::exception& e) {
        return Error::msg(std::string("TLS: ") + e.what());
    }
}

Result<HttpReply> TlsHttpConnection::exchange(std::string_view target, std::string_view json,
                                              std::string_view bearer, Deadline deadline) {
    return request(json.empty() ? HttpMethod::Get : HttpMethod::Post, target, json, bearer, deadline);
}

Result<HttpReply> TlsHttpConnection::request(HttpMethod method, std::string_view target, std::string_view json,
                                             std::string_view bearer, Deadline deadline) {
    Impl& impl = *m_impl;
    const http::verb verb = method == HttpMethod::Get    ? http::verb::get
                            : method == HttpMethod::Post ? http::verb::post
                                                         : http::verb::put;
    try {
        http::request<http::string_body> request{verb, beast::string_view(target.data(), target.size()), 11};
        request.set(http::field::host, impl.host_header);
        request.set(http::field::user_agent, "cw-attest-client");
        request.set(http::field::accept, "application/json");
        if (!bearer.empty())
            request.set(http::field::authorization, "Bearer " + std::string(bearer));
        if (!json.empty()) {
            request.set(http::field::content_type, "application/json");
            request.body() = std::string(json);
        }
        request.keep_alive(true);
        request.prepare_payload();
        ErrorCode ec = impl.run(deadline, [&](auto handler) {
            http::async_write(*impl.stream, request, std::move(handler));
        });
        OPENSSL_cleanse(request.body().data(), request.body().size());
        if (ec)
            return Error::msg("sending the request: " + describe(ec));

        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxBodyBytes);
        parser.header_limit(kMaxHeaderBytes);
        ec = impl.run(deadline, [&](auto handler) {
            http::async_read(*impl.stream, impl.buffer, parser, std::move(handler));
        });
        if (ec)
            return Error::msg("reading the reply: " + describe(ec));
        HttpReply reply;
        reply.status = parser.get().result_int();
        reply.keep_alive = parser.get().keep_alive();
        reply.body = std::move(parser.get().body());
        return reply;
    } catch (const std::exception& e) {
        return Error::msg(std::string("HTTP: ") + e.what());
    }
}

}  // namespace cw::attest::protocol::detail
