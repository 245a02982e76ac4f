// aes-xts-plain64 exactly as dm-crypt applies it to a LUKS2 data segment with 4096-byte
// sectors, done in user space with OpenSSL (AES-NI through EVP) because the host that
// builds the disk may have no device-mapper.
//
// The IV rule: plain64 is the little-endian 64-bit sector number, zero-padded to the
// 16-byte XTS tweak, counted from the start of the segment (LUKS2's iv_offset is 0).
// dm-crypt counts it in 512-byte units even with sector_size:4096 unless the table has
// iv_large_sectors, and cryptsetup sets that flag only for plain mode, never for LUKS2
// (dm-crypt.rst: "the IV for the second sector would be 8 without the flag"). So the
// 4096-byte sector k is encrypted with tweak k * 8. tests/disk-tests.py checks this
// against cryptsetup's own user-space decryption and an independent Python decryption.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <span>

#include "base/result.h"

namespace cw::disk {

constexpr uint32_t kLuksSectorSize = 4096;
constexpr size_t kVolumeKeySize = 64;  // aes-xts with two AES-256 keys: 512 bits

class XtsSectorCipher {
public:
    static Result<XtsSectorCipher> create(std::span<const uint8_t, kVolumeKeySize> key, bool encrypt);

    // Processes whole 4096-byte sectors in place; `first_sector` is the index of the first
    // one in 4096-byte units from the start of the segment.
    [[nodiscard]] Result<void> apply(uint64_t first_sector, std::span<uint8_t> sectors);

private:
    struct CtxFree {
        void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
    };
    explicit XtsSectorCipher(EVP_CIPHER_CTX* ctx, bool encrypt) : m_ctx(ctx), m_encrypt(encrypt) {}
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> m_ctx;  // holds the expanded key; freed with cleansing
    bool m_encrypt;
};

// Encrypts `size` bytes (a multiple of 4096) read from `src` at offset 0 into `dst` at
// `dst_offset`, in large chunks.
[[nodiscard]] Result<void> encrypt_stream(int src, uint64_t size, int dst, uint64_t dst_offset,
                                          std::span<const uint8_t, kVolumeKeySize> key);

}  // namespace cw::disk
