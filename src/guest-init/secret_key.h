// The disk secret in memory: a fixed-size array wiped with OPENSSL_cleanse when it goes out
// of scope; moves wipe the source; never copied, printed or written anywhere.
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <span>

namespace cw::guest {

inline constexpr size_t kDiskSecretSize = 32;  // docs/disk-format.md: keyslot 0's raw secret

class DiskSecret {
public:
    DiskSecret() = default;
    explicit DiskSecret(std::span<const uint8_t, kDiskSecretSize> bytes) {
        std::copy(bytes.begin(), bytes.end(), m_bytes.begin());
    }
    DiskSecret(DiskSecret&& other) noexcept : m_bytes(other.m_bytes) { other.wipe(); }
    DiskSecret& operator=(DiskSecret&& other) noexcept {
        if (this != &other) {
            m_bytes = other.m_bytes;
            other.wipe();
        }
        return *this;
    }
    DiskSecret(const DiskSecret&) = delete;
    DiskSecret& operator=(const DiskSecret&) = delete;
    ~DiskSecret() { wipe(); }

    [[nodiscard]] std::span<const uint8_t, kDiskSecretSize> bytes() const { return m_bytes; }
    void wipe() { OPENSSL_cleanse(m_bytes.data(), m_bytes.size()); }

private:
    std::array<uint8_t, kDiskSecretSize> m_bytes{};
};

}  // namespace cw::guest
