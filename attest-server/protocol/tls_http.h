// HTTP/1.1 requests over one TLS connection on an already-connected stream socket, with one
// deadline for everything. Boost stays in the .cpp. Used by the guest client (client.cpp) and
// by oci2cw's registration through the admin API (the only HTTP client of the project).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::attest::protocol::detail {

using Deadline = std::chrono::steady_clock::time_point;

struct TlsSettings {
    std::string server_name;  // SNI (names only) and the certificate's DNS name or IP address
    std::string ca_pem;       // the only trust anchors
};

enum class HttpMethod { Get, Post, Put };

struct HttpReply {
    unsigned status = 0;
    std::string body;
    bool keep_alive = false;  // false: the server will close; the next request needs a new connection
};

class TlsHttpConnection {
public:
    // TLS 1.2+ handshake on `socket`, verifying the server against the settings.
    static Result<std::unique_ptr<TlsHttpConnection>> open(UniqueFd socket, const TlsSettings& settings,
                                                           Deadline deadline);
    ~TlsHttpConnection();
    TlsHttpConnection(const TlsHttpConnection&) = delete;
    TlsHttpConnection& operator=(const TlsHttpConnection&) = delete;

    // POST with a JSON body (non-empty `json`) or GET (empty); `bearer` adds an Authorization
    // header. The reply body is bounded by kMaxBodyBytes.
    Result<HttpReply> exchange(std::string_view target, std::string_view json, std::string_view bearer,
                               Deadline deadline);
    // Any method; a non-empty `json` is sent as the body. The request's copy of the body is
    // wiped once sent (it may carry a disk key: oci2cw's registration).
    Result<HttpReply> request(HttpMethod method, std::string_view target, std::string_view json,
                              std::string_view bearer, Deadline deadline);

private:
    struct Impl;
    explicit TlsHttpConnection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Server-provided (or other untrusted) text for an error line: one line, printable, bounded.
std::string one_line(std::string_view text);

// A non-2xx reply as one line: "attestation server refused <step>: <error> (<detail>): <message>",
// or "... HTTP <status> (<why the body is not an error body>)". Server text is made printable
// and bounded.
Error refusal_error(const HttpReply& reply, std::string_view step);

}  // namespace cw::attest::protocol::detail
