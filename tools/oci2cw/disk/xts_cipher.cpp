#include "xts_cipher.h"

#include <algorithm>
#include <vector>

#include "file_io.h"

namespace cw::disk {

namespace {

constexpr uint64_t kIvSectorsPer4k = kLuksSectorSize / 512;  // plain64 counts 512-byte sectors
constexpr size_t kChunk = 8 << 20;

struct CipherFree {
    void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};

}  // namespace

Result<XtsSectorCipher> XtsSectorCipher::create(std::span<const uint8_t, kVolumeKeySize> key, bool encrypt) {
    std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, "AES-256-XTS", nullptr));
    if (!cipher)
        return Error::msg("OpenSSL has no AES-256-XTS");
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr)
        return Error::msg("EVP_CIPHER_CTX_new failed");
    XtsSectorCipher c(ctx, encrypt);
    // OpenSSL refuses an XTS key whose two halves are equal; a random key never has them.
    if (EVP_CipherInit_ex2(ctx, cipher.get(), key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1)
        return Error::msg("AES-256-XTS key setup failed");
    return c;
}

Result<void> XtsSectorCipher::apply(uint64_t first_sector, std::span<uint8_t> sectors) {
    if (sectors.size() % kLuksSectorSize != 0)
        return Error::msg("internal error: partial sector passed to the cipher");
    uint8_t iv[16] = {};
    for (size_t off = 0; off < sectors.size(); off += kLuksSectorSize) {
        uint64_t tweak = (first_sector + off / kLuksSectorSize) * kIvSectorsPer4k;
        for (size_t i = 0; i < 8; ++i)
            iv[i] = static_cast<uint8_t>(tweak >> (8 * i));
        int len = 0;
        uint8_t* p = sectors.data() + off;
        if (EVP_CipherInit_ex2(m_ctx.get(), nullptr, nullptr, iv, m_encrypt ? 1 : 0, nullptr) != 1 ||
            EVP_CipherUpdate(m_ctx.get(), p, &len, p, static_cast<int>(kLuksSectorSize)) != 1 ||
            len != static_cast<int>(kLuksSectorSize))
            return Error::msg("AES-256-XTS failed on sector " + std::to_string(first_sector + off / kLuksSectorSize));
    }
    return {};
}

Result<void> encrypt_stream(int src, uint64_t size, int dst, uint64_t dst_offset,
                            std::span<const uint8_t, kVolumeKeySize> key) {
    if (size % kLuksSectorSize != 0)
        return Error::msg("payload of " + std::to_string(size) + " bytes is not whole 4096-byte sectors");
    XtsSectorCipher cipher = CW_TRY(XtsSectorCipher::create(key, true));
    std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(kChunk, size)));
    for (uint64_t off = 0; off < size;) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
        std::span<uint8_t> chunk(buf.data(), n);
        CW_TRY(pread_exact(src, chunk.data(), n, off).context("reading the plaintext"));
        CW_TRY(cipher.apply(off / kLuksSectorSize, chunk));
        CW_TRY(pwrite_all(dst, chunk.data(), n, dst_offset + off).context("writing the ciphertext"));
        off += n;
    }
    return {};
}

}  // namespace cw::disk
