#include "secret.h"

#include <openssl/rand.h>
#include <unistd.h>

namespace cw::disk {

Result<Secret> generate_secret() {
    Secret s;
    if (RAND_priv_bytes(s.span().data(), static_cast<int>(kSecretSize)) != 1)
        return Error::msg("RAND_priv_bytes failed: no secret generated");
    return s;
}

Result<Secret> read_secret_fd(int fd) {
    Secret s;
    size_t got = 0;
    while (got < kSecretSize) {
        ssize_t n = ::read(fd, s.span().data() + got, kSecretSize - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("reading the secret from fd " + std::to_string(fd));
        if (n == 0)
            return Error::msg("secret on fd " + std::to_string(fd) + " is " + std::to_string(got) +
                              " bytes, expected exactly 32 raw bytes");
        got += static_cast<size_t>(n);
    }
    uint8_t extra = 0;
    ssize_t n = 0;
    do {
        n = ::read(fd, &extra, 1);
    } while (n < 0 && errno == EINTR);
    OPENSSL_cleanse(&extra, 1);
    if (n < 0)
        return Error::sys("reading the secret from fd " + std::to_string(fd));
    if (n != 0)
        return Error::msg("secret on fd " + std::to_string(fd) + " is longer than 32 bytes, expected exactly 32 raw bytes");
    return s;
}

}  // namespace cw::disk
