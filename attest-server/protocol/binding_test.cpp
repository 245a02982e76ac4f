// The REPORT_DATA binding: against an independent digest of the concatenation and one
// known answer computed outside this code (python3 hashlib, below).
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <vector>

#include "base/hex.h"
#include "protocol/binding.h"

namespace cw::attest::protocol {
namespace {

struct Inputs {
    std::array<uint8_t, kNonceSize> nonce{};
    std::array<uint8_t, kTeePublicKeySize> pubkey{};
};

// nonce = 00 01 .. 1f; pubkey = 04 80 81 .. df
Inputs counting_inputs() {
    Inputs in;
    for (size_t i = 0; i < in.nonce.size(); ++i)
        in.nonce[i] = static_cast<uint8_t>(i);
    in.pubkey[0] = 0x04;
    for (size_t i = 1; i < in.pubkey.size(); ++i)
        in.pubkey[i] = static_cast<uint8_t>(0x80 + i - 1);
    return in;
}

TEST_CASE("report_data_binding is SHA-512 of label, 0x00, nonce and public key") {
    Inputs in = counting_inputs();
    std::vector<uint8_t> concat;
    for (char c : std::string_view("cw-attest/1 report-data"))
        concat.push_back(static_cast<uint8_t>(c));
    concat.push_back(0);
    concat.insert(concat.end(), in.nonce.begin(), in.nonce.end());
    concat.insert(concat.end(), in.pubkey.begin(), in.pubkey.end());
    REQUIRE(concat.size() == 23 + 1 + 32 + 97);
    std::array<uint8_t, 64> expected{};
    unsigned int len = 0;
    REQUIRE(EVP_Digest(concat.data(), concat.size(), expected.data(), &len, EVP_sha512(), nullptr) == 1);
    CHECK(report_data_binding(in.nonce, in.pubkey) == expected);
}

TEST_CASE("report_data_binding known answer") {
    // python3 -c "import hashlib; print(hashlib.sha512(b'cw-attest/1 report-data' + b'\x00' +
    //     bytes(range(32)) + bytes([4]) + bytes(range(0x80, 0xe0))).hexdigest())"
    Inputs in = counting_inputs();
    CHECK(to_hex_lower(report_data_binding(in.nonce, in.pubkey)) ==
          "026bc081ac3642e1ab8c0babd5dec2d28e8399c07f0e6da41076650333ac5cc6"
          "96b7db13196538a8f80c696bec21fdeb7f24405c3e7aedc1cc25e7d1372cce21");
}

TEST_CASE("report_data_binding changes with every input") {
    Inputs in = counting_inputs();
    auto base = report_data_binding(in.nonce, in.pubkey);
    Inputs other_nonce = in;
    other_nonce.nonce[31] ^= 1;
    CHECK(report_data_binding(other_nonce.nonce, other_nonce.pubkey) != base);
    Inputs other_key = in;
    other_key.pubkey[96] ^= 1;
    CHECK(report_data_binding(other_key.nonce, other_key.pubkey) != base);
}

}  // namespace
}  // namespace cw::attest::protocol
