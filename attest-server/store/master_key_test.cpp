#include "store/master_key.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <numeric>

#include "base/hex.h"
#include "store/store_test_util.h"

namespace cw::attest::store {

namespace {

using test::TempDir;
using test::write_file;

std::vector<uint8_t> key_bytes(uint8_t first) {
    std::vector<uint8_t> k(kMasterKeyBytes);
    std::iota(k.begin(), k.end(), first);
    return k;
}

MasterKey make_key(uint8_t first) { return std::move(MasterKey::from_bytes(key_bytes(first))).value(); }

const std::vector<uint8_t> kDiskKey = key_bytes(0xA0);

bool same(const SecretBytes& a, const std::vector<uint8_t>& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// A key loaded from `path` seals what `expected` opens: the file held `expected`'s bytes.
void check_loads_as(const std::string& path, const MasterKey& expected) {
    Result<MasterKey> loaded = load_master_key(path);
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().to_string());
    std::vector<uint8_t> sealed = loaded->seal(kDiskKey, "w").value();
    Result<SecretBytes> opened = expected.open(sealed, "w");
    REQUIRE(opened.ok());
    CHECK(same(opened.value(), kDiskKey));
}

}  // namespace

TEST_CASE("master key file: 32 raw bytes") {
    TempDir dir;
    write_file(dir.file("key"), key_bytes(1), 0600);
    check_loads_as(dir.file("key"), make_key(1));
}

TEST_CASE("master key file: 64 hex characters, with or without one newline, either case") {
    TempDir dir;
    const std::string hex = to_hex_lower(key_bytes(7));
    write_file(dir.file("a"), hex, 0600);
    write_file(dir.file("b"), hex + "\n", 0400);
    write_file(dir.file("c"), to_hex_upper(key_bytes(7)), 0600);
    check_loads_as(dir.file("a"), make_key(7));
    check_loads_as(dir.file("b"), make_key(7));
    check_loads_as(dir.file("c"), make_key(7));
}

TEST_CASE("master key file: other sizes and non-hex are refused, naming the file, not the content") {
    TempDir dir;
    const std::string hex = to_hex_lower(key_bytes(7));
    struct Case {
        std::string name;
        std::string content;
        std::string error;
    };
    const std::vector<Case> cases = {
        {"empty", "", "0 bytes; expected 32 raw bytes or 64 hex characters"},
        {"short", std::string(31, 'x'), "31 bytes"},
        {"raw-newline", std::string(32, 'x') + "\n", "33 bytes"},
        {"two-newlines", hex + "\n\n", "66+ bytes"},
        {"crlf", hex + "\r\n", "66+ bytes"},
        {"hex-space", hex + " ", "65 bytes"},
        {"long", std::string(4096, 'a'), "66+ bytes"},
        {"not-hex", std::string(63, 'a') + "g", "64 bytes but not all hex digits"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        write_file(dir.file(c.name), c.content, 0600);
        Result<MasterKey> r = load_master_key(dir.file(c.name));
        REQUIRE_FALSE(r.ok());
        const std::string msg = r.error().to_string();
        CHECK(msg.find("master key file " + dir.file(c.name)) != std::string::npos);
        CHECK(msg.find(c.error) != std::string::npos);
        CHECK(msg.find("aaaa") == std::string::npos);
    }
}

TEST_CASE("master key file: group- or other-accessible modes are refused") {
    TempDir dir;
    for (mode_t mode : std::array<mode_t, 6>{0640, 0604, 0644, 0660, 0602, 0610}) {
        CAPTURE(mode);
        write_file(dir.file("key"), key_bytes(1), mode);
        Result<MasterKey> r = load_master_key(dir.file("key"));
        REQUIRE_FALSE(r.ok());
        const std::string msg = r.error().to_string();
        CHECK(msg.find(dir.file("key")) != std::string::npos);
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
        CHECK(msg.find(std::string("mode ") + octal) != std::string::npos);
    }
}

TEST_CASE("master key file: missing file and directory are refused") {
    TempDir dir;
    Result<MasterKey> missing = load_master_key(dir.file("nope"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().to_string().find("No such file") != std::string::npos);
    std::filesystem::create_directory(dir.file("d"));
    std::filesystem::permissions(dir.file("d"), std::filesystem::perms::owner_all);
    Result<MasterKey> directory = load_master_key(dir.file("d"));
    REQUIRE_FALSE(directory.ok());
    CHECK(directory.error().to_string().find("not a regular file") != std::string::npos);
}

TEST_CASE("MasterKey::from_bytes wants exactly 32 bytes") {
    CHECK_FALSE(MasterKey::from_bytes(std::vector<uint8_t>(31)).ok());
    CHECK_FALSE(MasterKey::from_bytes(std::vector<uint8_t>(33)).ok());
    CHECK(MasterKey::from_bytes(std::vector<uint8_t>(32)).ok());
}

TEST_CASE("seal/open round trip; layout is version || iv || ciphertext || tag") {
    const MasterKey key = make_key(1);
    std::vector<uint8_t> sealed = key.seal(kDiskKey, "hello").value();
    REQUIRE(sealed.size() == kSealOverheadBytes + kDiskKey.size());
    CHECK(sealed[0] == kSealedVersion);
    CHECK_FALSE(test::contains(sealed, kDiskKey));
    Result<SecretBytes> opened = key.open(sealed, "hello");
    REQUIRE(opened.ok());
    CHECK(same(opened.value(), kDiskKey));
}

TEST_CASE("seal uses a fresh IV each time") {
    const MasterKey key = make_key(1);
    CHECK(key.seal(kDiskKey, "w").value() != key.seal(kDiskKey, "w").value());
}

TEST_CASE("open refuses another workload id (AAD)") {
    const MasterKey key = make_key(1);
    std::vector<uint8_t> sealed = key.seal(kDiskKey, "hello").value();
    Result<SecretBytes> r = key.open(sealed, "hello2");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string() == "sealed disk key does not open with this master key");
}

TEST_CASE("open refuses any flipped byte") {
    const MasterKey key = make_key(1);
    const std::vector<uint8_t> sealed = key.seal(kDiskKey, "hello").value();
    for (size_t i = 0; i < sealed.size(); ++i) {
        CAPTURE(i);
        std::vector<uint8_t> bad = sealed;
        bad[i] ^= 0x01;
        CHECK_FALSE(key.open(bad, "hello").ok());
    }
}

TEST_CASE("open refuses another master key, truncation and unknown versions") {
    const std::vector<uint8_t> sealed = make_key(1).seal(kDiskKey, "hello").value();
    Result<SecretBytes> wrong = make_key(2).open(sealed, "hello");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().to_string() == "sealed disk key does not open with this master key");

    const MasterKey key = make_key(1);
    CHECK(key.open(std::span(sealed).first(kSealOverheadBytes), "hello").error().to_string().find("not a sealed key") !=
          std::string::npos);
    CHECK_FALSE(key.open({}, "hello").ok());
    std::vector<uint8_t> v2 = sealed;
    v2[0] = 2;
    CHECK(key.open(v2, "hello").error().to_string() == "sealed disk key: unknown format version 2");
}

TEST_CASE("seal refuses empty and oversized plaintext") {
    const MasterKey key = make_key(1);
    CHECK_FALSE(key.seal({}, "w").ok());
    CHECK_FALSE(key.seal(std::vector<uint8_t>(kMaxSealPlaintextBytes + 1), "w").ok());
    CHECK(key.seal(std::vector<uint8_t>(kMaxSealPlaintextBytes), "w").ok());
}

TEST_CASE("a moved-from MasterKey refuses to seal or open") {
    MasterKey a = make_key(1);
    MasterKey b = std::move(a);
    const std::vector<uint8_t> sealed = b.seal(kDiskKey, "w").value();
    CHECK(b.open(sealed, "w").ok());
    CHECK_FALSE(a.seal(kDiskKey, "w").ok());  // NOLINT(bugprone-use-after-move): the point of the test
    CHECK_FALSE(a.open(sealed, "w").ok());
}

}  // namespace cw::attest::store
