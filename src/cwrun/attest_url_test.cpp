#include "cwrun/attest_url.h"

#include <doctest/doctest.h>

namespace cw::cwrun {

TEST_CASE("attestation URL: host and port, 443 by default") {
    auto name = parse_attest_url("https://attest.example", "--attest-url");
    REQUIRE(name.ok());
    CHECK(name->host == "attest.example");
    CHECK(name->port == 443);
    auto ip = parse_attest_url("https://10.0.0.1:8443/", "--attest-url");
    REQUIRE(ip.ok());
    CHECK(ip->host == "10.0.0.1");
    CHECK(ip->port == 8443);
    auto v6 = parse_attest_url("https://[::1]:9000", "--attest-url");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->port == 9000);
}

TEST_CASE("attestation URL: each malformed form is refused naming the source") {
    for (const char* bad : {"", "http://h", "https://", "https://:443", "https://h:", "https://h:0", "https://h:65536",
                            "https://h:4x", "https://h/path", "https://u@h", "https://h?q", "https://h h",
                            "https://[::1", "https://[::1]x", "https://[host]:1", "https://::1:80", "https://h\n"}) {
        auto r = parse_attest_url(bad, "attestation_url");
        CHECK_MESSAGE(!r.ok(), bad);
        if (!r.ok()) {
            CHECK(r.error().message().starts_with("attestation_url \""));
            CHECK(r.error().message().find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("attestation URL: the vsock forward spec the VMM parses") {
    CHECK(vsock_forward_spec(8443, {"attest.example", 8443}) == "8443=attest.example:8443");
    CHECK(vsock_forward_spec(443, {"10.0.0.2", 9443}) == "443=10.0.0.2:9443");
    CHECK(vsock_forward_spec(443, {"fd00::2", 443}) == "443=[fd00::2]:443");
}

}  // namespace cw::cwrun
