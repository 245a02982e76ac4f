// Test support (protocol_unit_tests only): a self-signed certificate made on the spot and a tiny
// HTTPS server on 127.0.0.1 that answers each request with a test-provided handler, one
// connection at a time, on its own thread. Not a model for the real server.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace cw::attest::protocol::testing {

struct TestCert {
    std::string cert_pem;
    std::string key_pem;
};

// A self-signed P-256 certificate for the given subjectAltName list ("IP:127.0.0.1,DNS:localhost").
TestCert make_self_signed_cert(const std::string& subject_alt_names);

struct TestRequest {
    std::string method;
    std::string target;
    std::string authorization;
    std::string body;
};

struct TestReply {
    unsigned status = 200;
    std::string body;
    bool close = false;  // "Connection: close" and close after this reply
};

using TestHandler = std::function<TestReply(const TestRequest&)>;

class TestTlsServer {
public:
    TestTlsServer(const TestCert& cert, TestHandler handler);
    ~TestTlsServer();
    TestTlsServer(const TestTlsServer&) = delete;
    TestTlsServer& operator=(const TestTlsServer&) = delete;

    [[nodiscard]] uint16_t port() const { return m_port; }
    // TCP connections accepted so far.
    [[nodiscard]] int connections() const { return m_connections.load(); }

private:
    void serve(const TestCert& cert, int listen_fd);

    TestHandler m_handler;
    int m_listen_fd = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_connections{0};
    std::thread m_thread;
};

}  // namespace cw::attest::protocol::testing
