// Every body round-trips through to_json and parse_*, and every malformation is refused with
// one line naming the body and the field.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/base64.h"
#include "protocol/messages.h"

namespace cw::attest::protocol {
namespace {

const std::string kSession(64, 'c');
const std::string kNonce32 = base64_encode(std::vector<uint8_t>(32, 1));
const std::string kPub97 = base64_encode(std::vector<uint8_t>(97, 4));
const std::string kPub65 = base64_encode(std::vector<uint8_t>(65, 4));

template <class Parse>
std::string refusal(Parse parse, std::string_view body) {
    auto parsed = parse(body);
    REQUIRE_FALSE_MESSAGE(parsed.ok(), body);
    return parsed.error().message();
}

// The JSON of a body with one member replaced (or removed, for an empty replacement).
std::string with(std::string json, std::string_view field, std::string_view replacement) {
    std::string key = "\"" + std::string(field) + "\":";
    size_t start = json.find(key);
    REQUIRE(start != std::string::npos);
    size_t end = start + key.size();
    int depth = 0;
    bool in_string = false;
    for (; end < json.size(); ++end) {
        char c = json[end];
        if (c == '"' && json[end - 1] != '\\')
            in_string = !in_string;
        if (in_string)
            continue;
        if (c == '[' || c == '{')
            ++depth;
        if (c == ']' || c == '}') {
            if (depth == 0)
                break;
            --depth;
        }
        if (c == ',' && depth == 0)
            break;
    }
    if (replacement.empty()) {
        // Drop the member and one adjoining comma.
        if (end < json.size() && json[end] == ',')
            ++end;
        else if (start > 0 && json[start - 1] == ',')
            --start;
        return json.substr(0, start) + json.substr(end);
    }
    return json.substr(0, start) + key + std::string(replacement) + json.substr(end);
}

TEST_CASE("auth request round-trips and refuses malformations") {
    AuthRequest req{"cw-attest/1", "hello-1.x_y", Tee::Tdx};
    std::string json = to_json(req);
    CHECK(json == R"({"tee":"tdx","version":"cw-attest/1","workload":"hello-1.x_y"})");
    auto back = parse_auth_request(json);
    REQUIRE_MESSAGE(back.ok(), back.error().message());
    CHECK(back->version == req.version);
    CHECK(back->workload == req.workload);
    CHECK(back->tee == Tee::Tdx);
    // Any version string parses: bad_version is the server's decision.
    CHECK(parse_auth_request(with(json, "version", R"("cw-attest/9")")).ok());

    auto p = parse_auth_request;
    CHECK(refusal(p, "") == "auth request: not valid JSON (syntax error or invalid UTF-8 at byte 1)");
    CHECK(refusal(p, "[1]") == "auth request: expected a JSON object, got array");
    CHECK(refusal(p, "\"x\"") == "auth request: expected a JSON object, got string");
    CHECK(refusal(p, json + "x").starts_with("auth request: not valid JSON"));
    CHECK(refusal(p, R"({"version":"a","version":"b","workload":"w","tee":"sim"})") ==
          "auth request: duplicate field \"version\"");
    CHECK(refusal(p, with(json, "tee", R"("sim","Tee":"snp")")) == "auth request: unknown field \"Tee\"");
    CHECK(refusal(p, with(json, "tee", R"("sim","a\"b: bad base64 ":1)")) ==
          "auth request: unknown field \"a?b??bad?base64?\"");
    CHECK(refusal(p, with(json, "version", "")) == "auth request: missing field \"version\"");
    CHECK(refusal(p, with(json, "workload", "")) == "auth request: missing field \"workload\"");
    CHECK(refusal(p, with(json, "tee", "")) == "auth request: missing field \"tee\"");
    CHECK(refusal(p, with(json, "version", "1")) == "auth request: field \"version\": expected a string, got number");
    CHECK(refusal(p, with(json, "workload", "null")) == "auth request: field \"workload\": expected a string, got null");
    CHECK(refusal(p, with(json, "workload", R"("Hello")")).starts_with("auth request: field \"workload\": not a workload id"));
    CHECK(refusal(p, with(json, "workload", R"("-x")")).starts_with("auth request: field \"workload\": not a workload id"));
    CHECK(refusal(p, with(json, "workload", "\"" + std::string(129, 'a') + "\""))
              .starts_with("auth request: field \"workload\": not a workload id"));
    CHECK(parse_auth_request(with(json, "workload", "\"" + std::string(128, 'a') + "\"")).ok());
    CHECK(refusal(p, with(json, "tee", R"("SNP")")) ==
          "auth request: field \"tee\": unknown TEE (expected \"snp\", \"tdx\" or \"sim\")");
    CHECK(refusal(p, with(json, "tee", R"({"a":1})")) == "auth request: values nested too deeply");
    CHECK(refusal(p, R"({"version":"\u00e9\xff"})").starts_with("auth request: not valid JSON"));
    CHECK(refusal(p, std::string(kMaxBodyBytes + 1, ' ')) == "auth request: 262145 bytes is more than the limit of 262144");
}

TEST_CASE("auth response round-trips and refuses malformations") {
    AuthResponse res{kSession, {}, 60};
    res.nonce.fill(7);
    std::string json = to_json(res);
    auto back = parse_auth_response(json);
    REQUIRE_MESSAGE(back.ok(), back.error().message());
    CHECK(back->session == kSession);
    CHECK(back->nonce == res.nonce);
    CHECK(back->expires_in == 60);

    auto p = parse_auth_response;
    CHECK(refusal(p, with(json, "session", R"("ABC")")) ==
          "auth response: field \"session\": expected 64 lowercase hex characters");
    CHECK(refusal(p, with(json, "session", "\"" + std::string(64, 'C') + "\"")) ==
          "auth response: field \"session\": expected 64 lowercase hex characters");
    CHECK(refusal(p, with(json, "nonce", "\"" + kPub97 + "\"")) == "auth response: field \"nonce\": expected 32 bytes, got 97");
    CHECK(refusal(p, with(json, "nonce", R"("AAA")")) ==
          "auth response: field \"nonce\": bad base64: length 3 is not a multiple of 4");
    CHECK(refusal(p, with(json, "nonce", "7")) == "auth response: field \"nonce\": expected a base64 string, got number");
    CHECK(refusal(p, with(json, "expires_in", "-1")) ==
          "auth response: field \"expires_in\": expected a non-negative integer, got a negative or fractional number");
    CHECK(refusal(p, with(json, "expires_in", "60.0")).starts_with("auth response: field \"expires_in\": expected a non-negative"));
    CHECK(refusal(p, with(json, "expires_in", R"("60")")) ==
          "auth response: field \"expires_in\": expected a non-negative integer, got string");
    CHECK(refusal(p, with(json, "expires_in", "4294967296")) ==
          "auth response: field \"expires_in\": 4294967296 is more than 4294967295");
    CHECK(parse_auth_response(with(json, "expires_in", "4294967295")).ok());
    CHECK(refusal(p, with(json, "expires_in", "")) == "auth response: missing field \"expires_in\"");
}

AttestRequest sample_attest() {
    AttestRequest req;
    req.session = kSession;
    req.tee_pubkey.fill(4);
    req.evidence = std::vector<uint8_t>(1184, 0xEE);
    req.certificates = {std::vector<uint8_t>(900, 0x30), std::vector<uint8_t>(10, 0x31)};
    return req;
}

TEST_CASE("attest request round-trips, with and without certificates") {
    AttestRequest req = sample_attest();
    auto back = parse_attest_request(to_json(req));
    REQUIRE_MESSAGE(back.ok(), back.error().message());
    CHECK(back->session == req.session);
    CHECK(back->tee_pubkey == req.tee_pubkey);
    CHECK(back->evidence == req.evidence);
    CHECK(back->certificates == req.certificates);

    req.certificates.clear();
    std::string json = to_json(req);
    CHECK(json.find("certificates") == std::string::npos);
    back = parse_attest_request(json);
    REQUIRE(back.ok());
    CHECK(back->certificates.empty());
    CHECK(parse_attest_request(with(to_json(sample_attest()), "certificates", "[]")).ok());
}

TEST_CASE("attest request refuses malformations naming the field") {
    std::string json = to_json(sample_attest());
    auto p = parse_attest_request;
    CHECK(refusal(p, with(json, "tee_pubkey", "\"" + kPub65 + "\"")) ==
          "attest request: field \"tee_pubkey\": expected 97 bytes, got 65");
    CHECK(refusal(p, with(json, "tee_pubkey", R"("AAAA AAA")")) ==
          "attest request: field \"tee_pubkey\": bad base64: character 0x20 at offset 4 is not in the standard alphabet");
    CHECK(refusal(p, with(json, "tee_pubkey", "")) == "attest request: missing field \"tee_pubkey\"");
    CHECK(refusal(p, with(json, "session", R"("x")")) ==
          "attest request: field \"session\": expected 64 lowercase hex characters");
    CHECK(refusal(p, with(json, "session", "")) == "attest request: missing field \"session\"");
    CHECK(refusal(p, with(json, "evidence", R"("")")) == "attest request: field \"evidence\": empty");
    CHECK(refusal(p, with(json, "evidence", "[]")) == "attest request: field \"evidence\": expected a base64 string, got array");
    CHECK(refusal(p, with(json, "evidence", "\"" + base64_encode(std::vector<uint8_t>(64 * 1024 + 1, 1)) + "\"")) ==
          "attest request: field \"evidence\": 65537 bytes is more than the limit of 65536");
    CHECK(parse_attest_request(with(json, "evidence", "\"" + base64_encode(std::vector<uint8_t>(64 * 1024, 1)) + "\"")).ok());
    CHECK(refusal(p, with(json, "evidence", R"("Zh==")")) ==
          "attest request: field \"evidence\": bad base64: non-zero bits after the last byte (non-canonical encoding)");
    CHECK(refusal(p, with(json, "certificates", R"("AAAA")")) ==
          "attest request: field \"certificates\": expected an array, got string");
    CHECK(refusal(p, with(json, "certificates", R"(["AAAA",5])")) ==
          "attest request: field \"certificates[1]\": expected a base64 string, got number");
    CHECK(refusal(p, with(json, "certificates", R"(["AAAA","A"])")) ==
          "attest request: field \"certificates[1]\": bad base64: length 1 is not a multiple of 4");
    CHECK(refusal(p, with(json, "certificates", R"(["AAAA",""])")) == "attest request: field \"certificates[1]\": empty");
    CHECK(refusal(p, with(json, "certificates", R"([["AAAA"]])")) == "attest request: values nested too deeply");
    std::string nine = R"(["AAAA","AAAA","AAAA","AAAA","AAAA","AAAA","AAAA","AAAA","AAAA"])";
    CHECK(refusal(p, with(json, "certificates", nine)) ==
          "attest request: field \"certificates\": 9 entries, at most 8 allowed");
    std::string big = "[\"" + base64_encode(std::vector<uint8_t>(16 * 1024 + 1, 1)) + "\"]";
    CHECK(refusal(p, with(json, "certificates", big)) ==
          "attest request: field \"certificates[0]\": 16385 bytes is more than the limit of 16384");
    CHECK(refusal(p, with(json, "session", R"("c","extra":true)")) == "attest request: unknown field \"extra\"");
}

TEST_CASE("attest response round-trips and refuses malformations") {
    AttestResponse res{std::string(64, 'f'), 60};
    auto back = parse_attest_response(to_json(res));
    REQUIRE(back.ok());
    CHECK(back->token == res.token);
    CHECK(back->expires_in == 60);
    std::string json = to_json(res);
    auto p = parse_attest_response;
    CHECK(refusal(p, with(json, "token", R"("")")) == "attest response: field \"token\": expected 64 lowercase hex characters");
    CHECK(refusal(p, with(json, "token", "")) == "attest response: missing field \"token\"");
    CHECK(refusal(p, with(json, "expires_in", "true")) ==
          "attest response: field \"expires_in\": expected a non-negative integer, got boolean");
}

TEST_CASE("wrapped key round-trips and refuses malformations") {
    WrappedKey key;
    key.epk.fill(4);
    key.iv.fill(9);
    key.ciphertext = std::vector<uint8_t>(32, 0xCC);
    key.tag.fill(0x77);
    std::string json = to_json(key);
    CHECK(json.find("\"alg\":\"ECDH-P384-HKDF-SHA384-A256GCM\"") != std::string::npos);
    auto back = parse_wrapped_key(json);
    REQUIRE_MESSAGE(back.ok(), back.error().message());
    CHECK(back->epk == key.epk);
    CHECK(back->iv == key.iv);
    CHECK(back->ciphertext == key.ciphertext);
    CHECK(back->tag == key.tag);

    auto p = parse_wrapped_key;
    CHECK(refusal(p, with(json, "alg", R"("A128GCM")")) ==
          "disk key: field \"alg\": unsupported algorithm (expected \"ECDH-P384-HKDF-SHA384-A256GCM\")");
    CHECK(refusal(p, with(json, "alg", "")) == "disk key: missing field \"alg\"");
    CHECK(refusal(p, with(json, "epk", "\"" + kPub65 + "\"")) == "disk key: field \"epk\": expected 97 bytes, got 65");
    CHECK(refusal(p, with(json, "iv", "\"" + kNonce32 + "\"")) == "disk key: field \"iv\": expected 12 bytes, got 32");
    CHECK(refusal(p, with(json, "tag", R"("AAAA")")) == "disk key: field \"tag\": expected 16 bytes, got 3");
    CHECK(refusal(p, with(json, "ciphertext", R"("")")) == "disk key: field \"ciphertext\": empty");
    CHECK(refusal(p, with(json, "ciphertext", "\"" + base64_encode(std::vector<uint8_t>(1025, 1)) + "\"")) ==
          "disk key: field \"ciphertext\": 1025 bytes is more than the limit of 1024");
    CHECK(refusal(p, with(json, "tag", "")) == "disk key: missing field \"tag\"");
    CHECK(refusal(p, with(json, "iv", "")) == "disk key: missing field \"iv\"");
}

TEST_CASE("error body round-trips with and without detail") {
    ErrorBody e{"policy_rejected", "measurement not allowed", "measurement_mismatch"};
    auto back = parse_error_body(to_json(e));
    REQUIRE(back.ok());
    CHECK(back->error == e.error);
    CHECK(back->message == e.message);
    CHECK(back->detail == e.detail);
    ErrorBody plain{"busy", "try again", ""};
    std::string json = to_json(plain);
    CHECK(json == R"({"error":"busy","message":"try again"})");
    back = parse_error_body(json);
    REQUIRE(back.ok());
    CHECK(back->detail.empty());

    auto p = parse_error_body;
    CHECK(refusal(p, with(json, "error", R"("Not A Code")")) ==
          "error body: field \"error\": not a reason code (1 to 64 of [a-z0-9_])");
    CHECK(refusal(p, with(json, "message", "")) == "error body: missing field \"message\"");
    CHECK(refusal(p, with(json, "message", "1")) == "error body: field \"message\": expected a string, got number");
    CHECK(refusal(p, R"({"error":"x","message":"y","detail":7})") ==
          "error body: field \"detail\": expected a string, got number");
}

TEST_CASE("is_bad_base64 tells base64 failures from other malformations") {
    std::string json = to_json(sample_attest());
    auto bad = parse_attest_request(with(json, "tee_pubkey", R"("A===")"));
    REQUIRE_FALSE(bad.ok());
    CHECK(is_bad_base64(bad.error()));
    auto wrong_size = parse_attest_request(with(json, "tee_pubkey", "\"" + kPub65 + "\""));
    REQUIRE_FALSE(wrong_size.ok());
    CHECK_FALSE(is_bad_base64(wrong_size.error()));
    // A client cannot smuggle the phrase in through a field name or a JSON syntax error.
    auto named = parse_attest_request(with(json, "session", R"("c","bad base64":1)"));
    REQUIRE_FALSE(named.ok());
    CHECK_FALSE(is_bad_base64(named.error()));
    auto syntax = parse_attest_request(R"({"bad base64" "x"})");
    REQUIRE_FALSE(syntax.ok());
    CHECK_FALSE(is_bad_base64(syntax.error()));
}

}  // namespace
}  // namespace cw::attest::protocol
