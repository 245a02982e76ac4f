#include "workload/server_url.h"

#include <doctest/doctest.h>

using cw::workload::parse_server_url;

TEST_CASE("server URL: host, default and explicit port, IPv6") {
    auto a = parse_server_url("https://attest.example");
    REQUIRE(a.ok());
    CHECK(a->host == "attest.example");
    CHECK(a->port == 443);
    auto b = parse_server_url("https://10.0.0.1:8443/");
    REQUIRE(b.ok());
    CHECK(b->host == "10.0.0.1");
    CHECK(b->port == 8443);
    CHECK(b->url == "https://10.0.0.1:8443/");
    auto c = parse_server_url("https://[::1]:9000");
    REQUIRE(c.ok());
    CHECK(c->host == "::1");
    CHECK(c->port == 9000);
}

TEST_CASE("server URL: refusals") {
    for (const char* url : {"http://a", "https://", "https://a/path", "https://a:0", "https://a:65536", "https://a:x",
                            "https://a:", "https://u@a", "https://[::1", "https://[::1]x", "https://a b",
                            "https://a?q", "ftp://a", "", "https://:443", "https://[host]:1", "https://::1:80",
                            "https://h\n", "https://h:4x"}) {
        CAPTURE(url);
        CHECK_FALSE(parse_server_url(url).ok());
    }
}
