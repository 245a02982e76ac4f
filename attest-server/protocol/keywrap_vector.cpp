// Test-only (tests/attest/keywrap_interop.py): the C++ half of the key-wrap cross-check with
// an independent Python implementation of docs/attestation-protocol.md.
//
//   keywrap_vector wrap     prints one JSON object: a fresh TEE private key (PEM), nonce,
//                           workload, the disk key, the wrapped reply (to_json) and the
//                           REPORT_DATA binding for that nonce and key
//   keywrap_vector unwrap   reads {"tee_private_pem", "nonce", "workload", "wrapped"} on stdin
//                           and prints the unwrapped key as hex
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "base/hex.h"
#include "evidence/x509/keys.h"
#include "protocol/base64.h"
#include "protocol/binding.h"
#include "protocol/key_wrap.h"

namespace cw::attest::protocol {
namespace {

using Json = nlohmann::json;

Result<std::string> wrap_vector() {
    EvpPkeyPtr tee = CW_TRY(generate_tee_key());
    std::array<uint8_t, kNonceSize> nonce{};
    std::vector<uint8_t> disk_key(48);
    for (size_t i = 0; i < nonce.size(); ++i)
        nonce[i] = static_cast<uint8_t>(0xA0 + i);
    for (size_t i = 0; i < disk_key.size(); ++i)
        disk_key[i] = static_cast<uint8_t>(3 * i + 1);
    std::string workload = "interop-test.v1";
    WrappedKey wrapped = CW_TRY(wrap_key(tee.get(), disk_key, WrapContext{nonce, workload}));
    auto point = CW_TRY(encode_public_point(tee.get()));
    Json out{{"tee_private_pem", CW_TRY(private_key_to_pem(tee.get()))},
             {"tee_pubkey", base64_encode(point)},
             {"nonce", base64_encode(nonce)},
             {"workload", workload},
             {"disk_key", to_hex_lower(disk_key)},
             {"report_data", to_hex_lower(report_data_binding(nonce, point))},
             {"wrapped", Json::parse(to_json(wrapped))}};
    return out.dump();
}

Result<std::string> unwrap_vector(const std::string& input) {
    Json in = Json::parse(input);
    std::string pem = in.at("tee_private_pem").get<std::string>();
    EvpPkeyPtr tee = CW_TRY(parse_private_key_pem(std::vector<uint8_t>(pem.begin(), pem.end())));
    std::vector<uint8_t> nonce = CW_TRY(base64_decode(in.at("nonce").get<std::string>(), kNonceSize));
    if (nonce.size() != kNonceSize)
        return Error::msg("nonce: not 32 bytes");
    std::array<uint8_t, kNonceSize> nonce_array{};
    std::copy(nonce.begin(), nonce.end(), nonce_array.begin());
    WrappedKey wrapped = CW_TRY(parse_wrapped_key(in.at("wrapped").dump()));
    std::string workload = in.at("workload").get<std::string>();
    std::vector<uint8_t> key = CW_TRY(unwrap_key(tee.get(), wrapped, WrapContext{nonce_array, workload}));
    return to_hex_lower(key);
}

}  // namespace
}  // namespace cw::attest::protocol

std::string read_stdin() {
    std::string text;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0)
        text.append(buf, n);
    return text;
}

int main(int argc, char** argv) {
    using namespace cw::attest::protocol;
    std::string mode = argc == 2 ? argv[1] : "";
    if (mode != "wrap" && mode != "unwrap") {
        std::fprintf(stderr, "usage: keywrap_vector wrap|unwrap\n");
        return 2;
    }
    try {
        auto out = mode == "wrap" ? wrap_vector()
                                  : unwrap_vector(read_stdin());
        if (!out.ok()) {
            std::fprintf(stderr, "keywrap_vector: %s\n", out.error().to_string().c_str());
            return 1;
        }
        std::printf("%s\n", out->c_str());
        return 0;
    } catch (const nlohmann::json::exception& e) {
        std::fprintf(stderr, "keywrap_vector: %s\n", e.what());
        return 1;
    }
}
