#include "protocol/protocol.h"

#include <openssl/rand.h>

#include <array>

#include "base/hex.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest::protocol {

std::string_view tee_name(Tee tee) {
    switch (tee) {
    case Tee::Snp: return "snp";
    case Tee::Tdx: return "tdx";
    case Tee::Sim: return "sim";
    }
    return "unknown";
}

std::optional<Tee> parse_tee(std::string_view name) {
    for (Tee tee : {Tee::Snp, Tee::Tdx, Tee::Sim}) {
        if (name == tee_name(tee))
            return tee;
    }
    return std::nullopt;
}

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool valid_workload_id(std::string_view id) {
    constexpr size_t kMaxWorkloadIdLength = 128;
    if (id.empty() || id.size() > kMaxWorkloadIdLength || !lower_alnum(id.front()))
        return false;
    for (char c : id) {
        if (!lower_alnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

bool valid_hex_id(std::string_view id) {
    if (id.size() != kHexIdLength)
        return false;
    for (char c : id) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

Result<std::string> random_hex_id() {
    std::array<uint8_t, kHexIdLength / 2> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return openssl_error("RAND_bytes");
    return to_hex_lower(bytes);
}

}  // namespace cw::attest::protocol
