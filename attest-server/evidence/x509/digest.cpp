#include "evidence/x509/digest.h"

#include <openssl/sha.h>

namespace cw::attest {

Sha256Digest sha256(std::span<const uint8_t> data) {
    Sha256Digest out{};
    SHA256(data.data(), data.size(), out.data());
    return out;
}

Sha384Digest sha384(std::span<const uint8_t> data) {
    Sha384Digest out{};
    SHA384(data.data(), data.size(), out.data());
    return out;
}

}  // namespace cw::attest
