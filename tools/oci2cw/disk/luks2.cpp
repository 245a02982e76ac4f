#include "luks2.h"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <openssl/rand.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "base/regular_file.h"
#include "base/unique_fd.h"
#include "file_io.h"

namespace cw::disk {

namespace {

constexpr int kKeyslot = 0;

// A libcryptsetup handle whose log messages are kept (the last error) instead of printed:
// oci2cw reports one line per failure, and this is where the library says why.
class CryptDevice {
public:
    static Result<CryptDevice> open(const std::string& path) {
        CryptDevice d;
        int r = crypt_init(&d.m_cd, path.c_str());
        if (r < 0)
            return Error::sys("crypt_init " + path, -r);
        crypt_set_log_callback(d.m_cd, &CryptDevice::log, d.m_log.get());
        return d;
    }
    CryptDevice(CryptDevice&& o) noexcept : m_cd(std::exchange(o.m_cd, nullptr)), m_log(std::move(o.m_log)) {}
    CryptDevice& operator=(CryptDevice&&) = delete;
    ~CryptDevice() {
        if (m_cd != nullptr)
            crypt_free(m_cd);
    }

    [[nodiscard]] crypt_device* get() const { return m_cd; }

    // "step: libcryptsetup's message: strerror(-r)".
    [[nodiscard]] Error fail(const std::string& step, int r) const {
        std::string what = step;
        if (!m_log->empty())
            what += ": " + *m_log;
        return Error::sys(what, -r);
    }

private:
    CryptDevice() : m_log(std::make_unique<std::string>()) {}
    static void log(int level, const char* msg, void* usrptr) {
        if (level != CRYPT_LOG_ERROR || msg == nullptr)
            return;
        std::string& s = *static_cast<std::string*>(usrptr);
        s = msg;
        while (!s.empty() && (s.back() == '\n' || s.back() == '.'))
            s.pop_back();
    }

    crypt_device* m_cd = nullptr;
    std::unique_ptr<std::string> m_log;  // stable address for the callback
};

// libcryptsetup works on its device with O_DIRECT reads beside buffered writes, which not
// every filesystem serves coherently: on 9p in loose cache mode (the nested test host's
// shared root) crypt_format fails with "IO error while decrypting keyslot". So it never sees
// the output file: it formats, and later unlocks, an anonymous in-memory copy of the header
// area (the first kLuksDataOffset bytes, sized like the disk so its checks see the real
// data segment), which is moved to and from the disk with ordinary reads and writes.
// The copy holds only what the disk's header holds: the volume key is in it encrypted by
// the keyslot, never in clear.
class HeaderImage {
public:
    static Result<HeaderImage> create(uint64_t disk_size) {
        HeaderImage h(UniqueFd(::memfd_create("cw-luks2-header", MFD_CLOEXEC)));
        if (!h.m_fd.valid())
            return Error::sys("memfd_create for the LUKS2 header");
        if (::ftruncate(h.m_fd.get(), static_cast<off_t>(disk_size)) != 0)
            return Error::sys("sizing the in-memory LUKS2 header");
        return h;
    }

    // The header area of the disk at `path` (all of it if the file is shorter).
    static Result<HeaderImage> read_from(const std::string& path) {
        RegularFile disk = CW_TRY(open_regular_file(path));
        HeaderImage h = CW_TRY(create(disk.size));
        std::vector<uint8_t> buf(std::min<uint64_t>(disk.size, kLuksDataOffset));
        CW_TRY(pread_exact(disk.fd.get(), buf.data(), buf.size(), 0).context("reading the header of " + path));
        CW_TRY(pwrite_all(h.m_fd.get(), buf.data(), buf.size(), 0));
        return h;
    }

    [[nodiscard]] std::string path() const { return "/proc/self/fd/" + std::to_string(m_fd.get()); }

    [[nodiscard]] Result<void> copy_to(int disk_fd) const {
        std::vector<uint8_t> buf(kLuksDataOffset);
        CW_TRY(pread_exact(m_fd.get(), buf.data(), buf.size(), 0));
        return pwrite_all(disk_fd, buf.data(), buf.size(), 0);
    }

private:
    explicit HeaderImage(UniqueFd fd) : m_fd(std::move(fd)) {}
    UniqueFd m_fd;
};

Result<void> write_header(const std::string& path, std::span<const uint8_t, kVolumeKeySize> volume_key,
                          std::span<const uint8_t, kSecretSize> secret, LuksInfo& info) {
    CryptDevice cd = CW_TRY(CryptDevice::open(path));
    if (int r = crypt_set_metadata_size(cd.get(), kLuksMetadataSize, kLuksKeyslotsSize); r < 0)
        return cd.fail("crypt_set_metadata_size", r);
    if (int r = crypt_set_data_offset(cd.get(), kLuksDataOffset / 512); r < 0)
        return cd.fail("crypt_set_data_offset", r);
    // The secret is 256 random bits: PBKDF2 at libcryptsetup's minimum, no benchmark.
    crypt_pbkdf_type pbkdf{};
    pbkdf.type = CRYPT_KDF_PBKDF2;
    pbkdf.hash = "sha256";
    pbkdf.iterations = kLuksPbkdf2Iterations;
    pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
    crypt_params_luks2 params{};
    params.pbkdf = &pbkdf;
    params.sector_size = kLuksSectorSize;
    const char* vk = reinterpret_cast<const char*>(volume_key.data());
    if (int r = crypt_format(cd.get(), CRYPT_LUKS2, "aes", "xts-plain64", nullptr, vk, volume_key.size(), &params);
        r < 0)
        return cd.fail("crypt_format LUKS2", r);
    if (int r = crypt_set_pbkdf_type(cd.get(), &pbkdf); r < 0)
        return cd.fail("crypt_set_pbkdf_type", r);
    int slot = crypt_keyslot_add_by_volume_key(cd.get(), kKeyslot, vk, volume_key.size(),
                                               reinterpret_cast<const char*>(secret.data()), secret.size());
    if (slot < 0)
        return cd.fail("adding keyslot 0", slot);
    // What the header says is what the data will be encrypted for.
    if (crypt_get_data_offset(cd.get()) * 512 != kLuksDataOffset || crypt_get_sector_size(cd.get()) != kLuksSectorSize ||
        crypt_get_iv_offset(cd.get()) != 0 || crypt_get_volume_key_size(cd.get()) != static_cast<int>(kVolumeKeySize))
        return Error::msg("libcryptsetup wrote a header with a different data offset, sector size, IV offset or key size");
    const char* uuid = crypt_get_uuid(cd.get());
    info.uuid = uuid != nullptr ? uuid : "";
    return {};
}

// Decrypts one sector of the written disk and compares it with the plaintext.
Result<void> check_sector(int disk_fd, int plain_fd, uint64_t sector, std::span<const uint8_t, kVolumeKeySize> key) {
    std::vector<uint8_t> got(kLuksSectorSize), want(kLuksSectorSize);
    CW_TRY(pread_exact(disk_fd, got.data(), got.size(), kLuksDataOffset + sector * kLuksSectorSize));
    CW_TRY(pread_exact(plain_fd, want.data(), want.size(), sector * kLuksSectorSize));
    XtsSectorCipher dec = CW_TRY(XtsSectorCipher::create(key, false));
    CW_TRY(dec.apply(sector, got));
    if (got != want)
        return Error::msg("sector " + std::to_string(sector) + " does not decrypt to the plaintext");
    return {};
}

}  // namespace

Result<SecretBytes<kVolumeKeySize>> unlock_volume_key(const std::string& path,
                                                      std::span<const uint8_t, kSecretSize> secret) {
    HeaderImage header = CW_TRY(HeaderImage::read_from(path));
    CryptDevice cd = CW_TRY(CryptDevice::open(header.path()));
    if (int r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr); r < 0)
        return cd.fail("reading the LUKS2 header of " + path, r);
    SecretBytes<kVolumeKeySize> vk;
    size_t size = kVolumeKeySize;
    int r = crypt_volume_key_get(cd.get(), kKeyslot, vk.chars(), &size, reinterpret_cast<const char*>(secret.data()),
                                 secret.size());
    if (r == -EPERM)
        return Error::msg("the secret does not unlock " + path);
    if (r < 0)
        return cd.fail("unlocking keyslot 0 of " + path, r);
    if (size != kVolumeKeySize)
        return Error::msg(path + ": volume key is " + std::to_string(size * 8) + " bits, expected 512");
    return vk;
}

Result<LuksInfo> write_luks2_disk(const std::string& out_path, int plain_fd, uint64_t plain_size,
                                  std::span<const uint8_t, kSecretSize> secret) {
    if (plain_size == 0 || plain_size % kLuksSectorSize != 0)
        return Error::msg("LUKS2 payload of " + std::to_string(plain_size) + " bytes is not whole 4096-byte sectors");
    LuksInfo info;
    info.data_offset = kLuksDataOffset;
    info.payload_size = plain_size;
    UniqueFd out(::open(out_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out.valid())
        return Error::sys("create " + out_path);
    // libcryptsetup formats an existing device: give the file its final size first.
    if (::ftruncate(out.get(), static_cast<off_t>(kLuksDataOffset + plain_size)) != 0)
        return Error::sys("ftruncate " + out_path);

    SecretBytes<kVolumeKeySize> volume_key;
    if (RAND_priv_bytes(volume_key.span().data(), static_cast<int>(kVolumeKeySize)) != 1)
        return Error::msg("RAND_priv_bytes failed: no volume key");
    HeaderImage header = CW_TRY(HeaderImage::create(kLuksDataOffset + plain_size));
    CW_TRY(write_header(header.path(), volume_key.span(), secret, info).context("writing the LUKS2 header"));
    CW_TRY(header.copy_to(out.get()).context("writing the LUKS2 header to " + out_path));
    CW_TRY(encrypt_stream(plain_fd, plain_size, out.get(), kLuksDataOffset, volume_key.span())
               .context("encrypting the data segment"));
    if (::fsync(out.get()) != 0)
        return Error::sys("fsync " + out_path);

    // Trust but verify: the keyslot must give back this key, and the data must decrypt.
    SecretBytes<kVolumeKeySize> unlocked = CW_TRY(unlock_volume_key(out_path, secret).context("checking the disk"));
    if (CRYPTO_memcmp(unlocked.span().data(), volume_key.span().data(), kVolumeKeySize) != 0)
        return Error::msg("checking the disk: keyslot 0 yields a different volume key");
    uint64_t last = plain_size / kLuksSectorSize - 1;
    CW_TRY(check_sector(out.get(), plain_fd, 0, unlocked.span()).context("checking the disk"));
    CW_TRY(check_sector(out.get(), plain_fd, last, unlocked.span()).context("checking the disk"));
    return info;
}

}  // namespace cw::disk
