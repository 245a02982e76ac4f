// The server's master key: 32 bytes read from an operator-provided file, used only to seal and
// open workload disk keys at rest (AES-256-GCM). The server trusts the key file; this module
// trusts nothing about the sealed bytes it is asked to open (they come from the database file,
// which an attacker with disk access could edit: GCM's tag is what catches that).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/secret_bytes.h"

namespace cw::attest::store {

inline constexpr size_t kMasterKeyBytes = 32;
// Sealed layout: version (1) || iv (12) || ciphertext (= plaintext size) || tag (16).
inline constexpr uint8_t kSealedVersion = 1;
inline constexpr size_t kSealIvBytes = 12;
inline constexpr size_t kSealTagBytes = 16;
inline constexpr size_t kSealOverheadBytes = 1 + kSealIvBytes + kSealTagBytes;
// Seals are for disk keys (the API takes 32..64 bytes); the bound keeps a hostile database
// row or a caller's mistake from sealing or opening megabytes.
inline constexpr size_t kMaxSealPlaintextBytes = 4096;

class MasterKey {
public:
    // Exactly kMasterKeyBytes bytes (tests, and callers that hold the key some other way).
    static Result<MasterKey> from_bytes(std::span<const uint8_t> key);

    MasterKey(MasterKey&& other) noexcept;
    MasterKey& operator=(MasterKey&& other) noexcept;
    MasterKey(const MasterKey&) = delete;
    MasterKey& operator=(const MasterKey&) = delete;
    ~MasterKey();

    // AES-256-GCM with a random 12-byte IV and
    // AAD = "cw-attest sealed disk key v1" || 0x00 || workload_id, so a sealed key copied into
    // another workload's row does not open. Thread-safe (no shared mutable state).
    [[nodiscard]] Result<std::vector<uint8_t>> seal(std::span<const uint8_t> plaintext,
                                                    std::string_view workload_id) const;
    // The inverse; fails with "sealed disk key does not open with this master key" when the
    // tag does not verify (another master key, another workload id, or edited bytes).
    [[nodiscard]] Result<SecretBytes> open(std::span<const uint8_t> sealed,
                                           std::string_view workload_id) const;

private:
    MasterKey() = default;
    void wipe() noexcept;

    std::array<uint8_t, kMasterKeyBytes> m_key{};
    bool m_valid = false;  // false once moved from: seal/open then refuse
};

// Reads the master key file: exactly 32 raw bytes, or 64 hex characters with at most one
// trailing newline. Refuses a file group or others may read or write (mode & 077), anything
// but a regular file, and any other size. Errors name the file, never its content.
Result<MasterKey> load_master_key(const std::string& path);

}  // namespace cw::attest::store
