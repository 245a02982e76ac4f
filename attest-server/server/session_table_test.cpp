#include "server/session_table.h"

#include <doctest/doctest.h>

namespace cw::attest::server {

namespace {

struct FakeClock {
    int64_t now = 1000;
    Clock clock() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("a session's nonce is usable exactly once") {
    FakeClock time;
    SessionTable table(16, 60, 60, time.clock());
    auto opened = table.open_session("hello", "sim");
    REQUIRE(opened.ok());
    REQUIRE(opened.value().has_value());
    auto [id, session] = *opened.value();
    CHECK(id.size() == 64);
    CHECK(session.workload == "hello");
    CHECK(session.expires == 1060);

    auto first = table.take_session(id);
    REQUIRE(std::holds_alternative<Session>(first));
    CHECK(std::get<Session>(first).nonce == session.nonce);
    auto second = table.take_session(id);
    REQUIRE(std::holds_alternative<TakeError>(second));
    CHECK(std::get<TakeError>(second) == TakeError::Used);
    CHECK(std::get<TakeError>(table.take_session(std::string(64, '0'))) == TakeError::Unknown);
}

TEST_CASE("sessions and nonces are random and distinct") {
    SessionTable table(16, 60, 60);
    auto a = table.open_session("w", "sim").value().value();
    auto b = table.open_session("w", "sim").value().value();
    CHECK(a.first != b.first);
    CHECK(a.second.nonce != b.second.nonce);
}

TEST_CASE("an expired session is refused as expired, and consumed") {
    FakeClock time;
    SessionTable table(16, 60, 60, time.clock());
    auto id = table.open_session("hello", "sim").value()->first;
    time.now += 60;
    CHECK(std::get<TakeError>(table.take_session(id)) == TakeError::Expired);
    CHECK(std::get<TakeError>(table.take_session(id)) == TakeError::Used);
    // Dropped for good one TTL after expiry.
    time.now += 61;
    (void)table.open_session("other", "sim");
    CHECK(std::get<TakeError>(table.take_session(id)) == TakeError::Unknown);
}

TEST_CASE("a full table refuses new sessions instead of evicting live ones") {
    FakeClock time;
    SessionTable table(2, 60, 60, time.clock());
    auto first = table.open_session("a", "sim").value()->first;
    REQUIRE(table.open_session("b", "sim").value().has_value());
    CHECK_FALSE(table.open_session("c", "sim").value().has_value());
    CHECK(std::holds_alternative<Session>(table.take_session(first)));  // still live
    time.now += 121;  // both stale: room again
    CHECK(table.open_session("c", "sim").value().has_value());
}

TEST_CASE("tokens carry their binding and expire") {
    FakeClock time;
    SessionTable table(16, 60, 30, time.clock());
    Token token;
    token.workload = "hello";
    token.tee_pubkey[0] = 4;
    auto id = table.issue_token(token);
    REQUIRE(id.ok());
    REQUIRE(id.value().has_value());
    auto found = table.find_token(*id.value());
    REQUIRE(std::holds_alternative<Token>(found));
    CHECK(std::get<Token>(found).workload == "hello");
    CHECK(std::get<Token>(found).expires == 1030);
    CHECK(std::holds_alternative<Token>(table.find_token(*id.value())));  // not single-use
    time.now += 30;
    CHECK(std::get<TakeError>(table.find_token(*id.value())) == TakeError::Expired);
    CHECK(std::get<TakeError>(table.find_token("nope")) == TakeError::Unknown);
}

}  // namespace cw::attest::server
