#include "guest-init/snp_cert_table.h"

#include <doctest/doctest.h>

#include <cstring>

using namespace cw::guest;

namespace {

using Bytes = std::vector<uint8_t>;

// RFC 4122 bytes of the VCEK, ASK and ARK GUIDs (attestation-facts.md 1.3).
const Bytes kVcek = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
const Bytes kAsk = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
const Bytes kArk = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};
const Bytes kOther(16, 0x11);

struct Entry {
    Bytes guid;
    uint32_t offset;
    uint32_t length;
};

void put32(Bytes& b, size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i)
        b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

Bytes table(const std::vector<Entry>& entries, size_t total) {
    Bytes b(total, 0);
    for (size_t i = 0; i < entries.size(); ++i) {
        std::memcpy(b.data() + 24 * i, entries[i].guid.data(), 16);
        put32(b, 24 * i + 16, entries[i].offset);
        put32(b, 24 * i + 20, entries[i].length);
    }
    return b;
}

Bytes mixed(Bytes g) {
    std::swap(g[0], g[3]);
    std::swap(g[1], g[2]);
    std::swap(g[4], g[5]);
    std::swap(g[6], g[7]);
    return g;
}

std::string error_of(const Bytes& b) {
    auto r = parse_snp_cert_table(b);
    REQUIRE_FALSE(r.ok());
    return r.error().message();
}

}  // namespace

TEST_CASE("a VCEK, ASK, ARK table yields the three certificates in order") {
    Bytes b = table({{kVcek, 96, 3}, {kAsk, 99, 2}, {kArk, 101, 1}}, 102);
    b[96] = 'v';
    b[99] = 'a';
    b[101] = 'r';
    auto certs = parse_snp_cert_table(b);
    REQUIRE(certs.ok());
    REQUIRE(certs->size() == 3);
    CHECK((*certs)[0].kind == SnpCertKind::Vcek);
    CHECK((*certs)[0].der == Bytes{'v', 0, 0});
    CHECK((*certs)[1].kind == SnpCertKind::Ask);
    CHECK((*certs)[2].der == Bytes{'r'});
}

TEST_CASE("mixed-endian GUIDs are recognised; unknown GUIDs are skipped") {
    Bytes b = table({{mixed(kVcek), 72, 4}, {kOther, 76, 4}}, 80);
    auto certs = parse_snp_cert_table(b);
    REQUIRE(certs.ok());
    REQUIRE(certs->size() == 1);
    CHECK((*certs)[0].kind == SnpCertKind::Vcek);
}

TEST_CASE("an empty blob or a lone terminator has no certificates") {
    CHECK(parse_snp_cert_table({}).value().empty());
    CHECK(parse_snp_cert_table(Bytes(24, 0)).value().empty());
}

TEST_CASE("malformed tables are refused") {
    CHECK(error_of(table({{kVcek, 48, 1}}, 40)) == "SNP certificate table: no all-zero entry ends the table");
    CHECK(error_of(table({{kVcek, 48, 8}}, 50)) ==
          "SNP certificate table entry 0: bytes [48, 56) outside the data after the table [48, 50)");
    CHECK(error_of(table({{kVcek, 0, 8}}, 60)) ==
          "SNP certificate table entry 0: bytes [0, 8) outside the data after the table [48, 60)");
    CHECK(error_of(table({{kVcek, 0xFFFFFFF0u, 0x100}}, 60)).find("outside the data") != std::string::npos);
    CHECK(error_of(table({{kVcek, 48, 0}}, 60)) == "SNP certificate table entry 0: length 0 (1 to 16384)");
    CHECK(error_of(table({{kVcek, 72, 2}, {mixed(kVcek), 74, 2}}, 80)) ==
          "SNP certificate table entry 1: a second VCEK certificate");
    std::vector<Entry> many(17, Entry{kOther, 1000, 1});
    CHECK(error_of(table(many, 1200)) == "SNP certificate table: more than 16 entries");
    CHECK(error_of(Bytes(kMaxSnpCertTableBytes + 1, 0)).find("at most") != std::string::npos);
}
