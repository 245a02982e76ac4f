// Key material that must never reach a file: the workload secret (released by the
// attestation server to a guest that proved itself) and the LUKS2 volume key. Held in
// fixed arrays that are wiped with OPENSSL_cleanse when they go out of scope, never copied
// into std::string or std::vector (whose reallocations would leave copies behind).
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"

namespace cw::disk {

template <size_t N>
class SecretBytes {
public:
    SecretBytes() = default;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& other) noexcept : m_bytes(other.m_bytes) { other.wipe(); }
    SecretBytes& operator=(SecretBytes&&) = delete;
    ~SecretBytes() { wipe(); }

    [[nodiscard]] std::span<uint8_t, N> span() { return m_bytes; }
    [[nodiscard]] std::span<const uint8_t, N> span() const { return m_bytes; }
    [[nodiscard]] const char* chars() const { return reinterpret_cast<const char*>(m_bytes.data()); }
    [[nodiscard]] char* chars() { return reinterpret_cast<char*>(m_bytes.data()); }
    void wipe() { OPENSSL_cleanse(m_bytes.data(), N); }

private:
    std::array<uint8_t, N> m_bytes{};
};

// The workload secret: a random 256-bit value, used raw as the LUKS2 keyslot passphrase.
constexpr size_t kSecretSize = 32;
using Secret = SecretBytes<kSecretSize>;

// 32 bytes from OpenSSL's private CSPRNG.
[[nodiscard]] Result<Secret> generate_secret();
// Exactly 32 raw bytes and then end of file from an open descriptor (a pipe in tests);
// anything shorter or longer is refused, so a hex-encoded secret cannot slip through.
[[nodiscard]] Result<Secret> read_secret_fd(int fd);

}  // namespace cw::disk
