#include "protocol/test_tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

// Boost glue only: see tls_http.cpp for why these two warnings are off here.
#pragma GCC diagnostic ignored "-Wzero-as-null-pointer-constant"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "evidence/x509/keys.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::protocol::testing {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("test TLS server: " + what); }

}  // namespace

TestCert make_self_signed_cert(const std::string& subject_alt_names) {
    auto key = generate_ec_key(EcCurve::P256);
    if (!key.ok())
        fail(key.error().to_string());
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key->get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    const unsigned char cn[] = "cw-attest test server";
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx{};
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, subject_alt_names.c_str());
    if (san == nullptr || X509_add_ext(cert.get(), san, -1) != 1)
        fail("subjectAltName " + subject_alt_names);
    X509_EXTENSION_free(san);
    if (X509_sign(cert.get(), key->get(), EVP_sha256()) == 0)
        fail("X509_sign");
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    auto key_pem = private_key_to_pem(key->get());
    if (len <= 0 || !key_pem.ok())
        fail("PEM");
    return TestCert{std::string(data, static_cast<size_t>(len)), std::move(key_pem).value()};
}

TestTlsServer::TestTlsServer(const TestCert& cert, TestHandler handler) : m_handler(std::move(handler)) {
    m_listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (m_listen_fd < 0 || bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(m_listen_fd, 8) != 0 || getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        fail("listen");
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this, cert] { serve(cert, m_listen_fd); });
}

TestTlsServer::~TestTlsServer() {
    m_stop = true;
    // Wakes the blocking accept: shutdown makes it return on Linux.
    shutdown(m_listen_fd, SHUT_RDWR);
    m_thread.join();
    close(m_listen_fd);
}

void TestTlsServer::serve(const TestCert& cert, int listen_fd) {
    net::io_context io;
    ssl::context tls(ssl::context::tls_server);
    tls.use_certificate_chain(net::buffer(cert.cert_pem));
    tls.use_private_key(net::buffer(cert.key_pem), ssl::context::pem);
    while (!m_stop) {
        int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        ++m_connections;
        boost::system::error_code ec;
        net::ip::tcp::socket socket(io);
        socket.assign(net::ip::tcp::v4(), fd, ec);
        ssl::stream<net::ip::tcp::socket> stream(std::move(socket), tls);
        stream.handshake(ssl::stream_base::server, ec);
        beast::flat_buffer buffer;
        while (!ec && !m_stop) {
            http::request<http::string_body> request;
            http::read(stream, buffer, request, ec);
            if (ec)
                break;
            TestRequest in{std::string(request.method_string()), std::string(request.target()),
                           std::string(request[http::field::authorization]), request.body()};
            TestReply out = m_handler(in);
            http::response<http::string_body> reply{static_cast<http::status>(out.status), 11};
            reply.set(http::field::content_type, "application/json");
            reply.keep_alive(!out.close);
            reply.body() = out.body;
            reply.prepare_payload();
            http::write(stream, reply, ec);
            if (out.close)
                break;
        }
        stream.shutdown(ec);
        stream.next_layer().close(ec);
    }
}

}  // namespace cw::attest::protocol::testing
