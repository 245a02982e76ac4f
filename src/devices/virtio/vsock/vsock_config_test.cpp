#include "devices/virtio/vsock/vsock_config.h"

#include <doctest/doctest.h>

#include <string>

namespace cw::devices::virtio {

TEST_CASE("vsock forward options: TCP, IPv6 and Unix targets") {
    auto tcp = parse_vsock_forward("1234=127.0.0.1:8080");
    REQUIRE(tcp.ok());
    CHECK(tcp->port == 1234);
    CHECK(tcp->tcp_host == "127.0.0.1");
    CHECK(tcp->tcp_port == 8080);
    CHECK(tcp->unix_path.empty());

    auto v6 = parse_vsock_forward("80=[::1]:443");
    REQUIRE(v6.ok());
    CHECK(v6->tcp_host == "::1");
    CHECK(v6->tcp_port == 443);

    auto name = parse_vsock_forward("80=localhost:443");
    REQUIRE(name.ok());
    CHECK(name->tcp_host == "localhost");

    auto unix_target = parse_vsock_forward("5=unix:/run/a=b.sock");
    REQUIRE(unix_target.ok());
    CHECK(unix_target->port == 5);
    CHECK(unix_target->unix_path == "/run/a=b.sock");
}

TEST_CASE("vsock forward options: each malformed form names the problem") {
    const char* bad[] = {"",           "1234",          "x=1.2.3.4:80",      "1234=1.2.3.4",  "1234=:80",
                         "1234=h:0",   "1234=h:65536",  "1234=h:8x",         "1234=::1:80",   "1234=[::1]80",
                         "1234=unix:", "4294967295=h:1", "-1=h:1",           "99999999999=h:1"};
    for (const char* text : bad) {
        auto r = parse_vsock_forward(text);
        CHECK_MESSAGE(!r.ok(), text);
        if (!r.ok())
            CHECK(r.error().message().find("--vsock-forward") != std::string::npos);
    }
    CHECK_FALSE(parse_vsock_forward("1=unix:" + std::string(200, 'a')).ok());
}

TEST_CASE("vsock listen options") {
    auto l = parse_vsock_listen("/tmp/x=y.sock=52");
    REQUIRE(l.ok());
    CHECK(l->unix_path == "/tmp/x=y.sock");
    CHECK(l->guest_port == 52);
    CHECK_FALSE(parse_vsock_listen("/tmp/a.sock").ok());
    CHECK_FALSE(parse_vsock_listen("=52").ok());
    CHECK_FALSE(parse_vsock_listen("/tmp/a.sock=").ok());
    CHECK_FALSE(parse_vsock_listen("/tmp/a.sock=port").ok());
    CHECK_FALSE(parse_vsock_listen(std::string(120, 'a') + "=1").ok());
}

TEST_CASE("vsock config validation") {
    VsockConfig ok;
    ok.targets.push_back({1, "/a", "", 0});
    ok.targets.push_back({2, "", "127.0.0.1", 80});
    ok.listeners.push_back({"/b", 3});
    CHECK(validate_vsock_config(ok).ok());

    VsockConfig low_cid = ok;
    low_cid.guest_cid = 2;
    CHECK_FALSE(validate_vsock_config(low_cid).ok());
    VsockConfig any_cid = ok;
    any_cid.guest_cid = 0xffffffff;
    CHECK_FALSE(validate_vsock_config(any_cid).ok());

    VsockConfig dup_port = ok;
    dup_port.targets.push_back({1, "/c", "", 0});
    CHECK_FALSE(validate_vsock_config(dup_port).ok());

    VsockConfig both = ok;
    both.targets[0].tcp_host = "h";
    CHECK_FALSE(validate_vsock_config(both).ok());

    VsockConfig neither = ok;
    neither.targets[0].unix_path.clear();
    CHECK_FALSE(validate_vsock_config(neither).ok());

    VsockConfig dup_path = ok;
    dup_path.listeners.push_back({"/b", 4});
    CHECK_FALSE(validate_vsock_config(dup_path).ok());

    VsockConfig long_path = ok;
    long_path.listeners[0].unix_path = std::string(108, 'p');
    CHECK_FALSE(validate_vsock_config(long_path).ok());
}

}  // namespace cw::devices::virtio
