// Names and identifier rules of cw-attest/1.
#include <doctest/doctest.h>

#include <set>

#include "protocol/protocol.h"

namespace cw::attest::protocol {
namespace {

TEST_CASE("TEE names round-trip and nothing else parses") {
    for (Tee tee : {Tee::Snp, Tee::Tdx, Tee::Sim})
        CHECK(parse_tee(tee_name(tee)) == tee);
    CHECK(tee_name(Tee::Snp) == "snp");
    CHECK_FALSE(parse_tee("SNP").has_value());
    CHECK_FALSE(parse_tee("sgx").has_value());
    CHECK_FALSE(parse_tee("").has_value());
    CHECK_FALSE(parse_tee("sim ").has_value());
}

TEST_CASE("workload ids: 1 to 128 of [a-z0-9._-], starting with [a-z0-9]") {
    CHECK(valid_workload_id("a"));
    CHECK(valid_workload_id("0"));
    CHECK(valid_workload_id("hello-world_1.2"));
    CHECK(valid_workload_id(std::string(128, 'z')));
    CHECK_FALSE(valid_workload_id(""));
    CHECK_FALSE(valid_workload_id(std::string(129, 'z')));
    CHECK_FALSE(valid_workload_id("-a"));
    CHECK_FALSE(valid_workload_id(".a"));
    CHECK_FALSE(valid_workload_id("_a"));
    CHECK_FALSE(valid_workload_id("Hello"));
    CHECK_FALSE(valid_workload_id("a/b"));
    CHECK_FALSE(valid_workload_id("a b"));
    CHECK_FALSE(valid_workload_id(std::string_view("a\0b", 3)));
    CHECK_FALSE(valid_workload_id("caf\xC3\xA9"));
}

TEST_CASE("random_hex_id gives distinct 64-lowercase-hex ids") {
    std::set<std::string> seen;
    for (int i = 0; i < 64; ++i) {
        auto id = random_hex_id();
        REQUIRE(id.ok());
        CHECK(valid_hex_id(*id));
        seen.insert(*id);
    }
    CHECK(seen.size() == 64);
    CHECK_FALSE(valid_hex_id(std::string(63, 'a')));
    CHECK_FALSE(valid_hex_id(std::string(65, 'a')));
    CHECK_FALSE(valid_hex_id(std::string(64, 'A')));
    CHECK_FALSE(valid_hex_id(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace cw::attest::protocol
