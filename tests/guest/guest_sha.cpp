#include <openssl/sha.h>

#include "guest_util.h"

namespace cw::guest_test {

std::string sha256_hex(const void* data, size_t len) {
    // The one-shot SHA256() rather than EVP: it links only the SHA-256 code into this
    // static binary, not OpenSSL's provider machinery (5 MB more initramfs per boot).
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(static_cast<const unsigned char*>(data), len, digest);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

}  // namespace cw::guest_test
