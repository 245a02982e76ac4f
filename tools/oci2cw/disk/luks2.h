// The encrypted workload disk: one LUKS2 container whose data segment holds the
// plaintext (squashfs || dm-verity tree), encrypted with aes-xts-plain64 and a random
// 512-bit volume key. The header is written by libcryptsetup (so `cryptsetup open` in the
// guest reads exactly what it expects); the data is encrypted here in user space (see
// xts_cipher.h), because the build host may have no device-mapper.
//
// Keyslot 0 is opened by the workload secret, used raw as the passphrase with PBKDF2-
// SHA256 at the minimum 1000 iterations: the secret is 256 random bits, so stretching it
// buys nothing and a memory-hard KDF (argon2) would only slow the guest's boot.
//
// What this trusts: OpenSSL's CSPRNG for the volume key, and that the caller never writes
// the secret anywhere. The volume key exists only in this process's memory and is wiped.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "secret.h"
#include "xts_cipher.h"

namespace cw::disk {

// Header layout (docs/disk-format.md): two 16 KiB metadata copies, then the keyslots
// area, the data segment at 1 MiB. One 512-bit keyslot with 4000 AF stripes takes 252 KiB,
// so the area holds three: keyslot 0 and room to rotate the secret without re-encrypting.
constexpr uint64_t kLuksMetadataSize = 16 << 10;
constexpr uint64_t kLuksDataOffset = 1 << 20;
constexpr uint64_t kLuksKeyslotsSize = kLuksDataOffset - 2 * kLuksMetadataSize;
constexpr uint32_t kLuksPbkdf2Iterations = 1000;  // libcryptsetup's minimum for LUKS2

struct LuksInfo {
    uint64_t data_offset = 0;   // bytes from the start of the disk to the data segment
    uint64_t payload_size = 0;  // bytes of (encrypted) data segment
    std::string uuid;
};

// Writes `out_path` (created or truncated): the header, keyslot 0 for `secret`, and the
// `plain_size` bytes (a multiple of 4096) of `plain_fd` from offset 0, encrypted. Before
// returning it re-opens the file, unlocks keyslot 0 with the secret and checks that it
// yields the volume key the data was encrypted with, and that the first and last sectors
// decrypt back to the plaintext.
[[nodiscard]] Result<LuksInfo> write_luks2_disk(const std::string& out_path, int plain_fd, uint64_t plain_size,
                                                std::span<const uint8_t, kSecretSize> secret);

// The volume key keyslot 0 of `path` holds for `secret`. A wrong secret fails with
// "the secret does not unlock <path>".
[[nodiscard]] Result<SecretBytes<kVolumeKeySize>> unlock_volume_key(const std::string& path,
                                                                    std::span<const uint8_t, kSecretSize> secret);

}  // namespace cw::disk
