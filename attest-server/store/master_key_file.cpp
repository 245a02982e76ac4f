// load_master_key: the key file's formats and the permission check. The file is trusted for
// its content (the operator put it there) but its mode is checked: a key others can read is
// a key that may already be copied, so the server refuses to start rather than use it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "base/unique_fd.h"
#include "store/master_key.h"

namespace cw::attest::store {

namespace {

constexpr size_t kHexKeyChars = 2 * kMasterKeyBytes;
// The longest accepted file: 64 hex characters and one newline.
constexpr size_t kMaxKeyFileBytes = kHexKeyChars + 1;

// Wipes the file's bytes however load_master_key leaves.
struct WipedBuffer {
    std::array<uint8_t, kMaxKeyFileBytes + 1> bytes{};
    ~WipedBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string octal_mode(mode_t mode) {
    std::array<char, 8> buf{};
    std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(mode & 07777));
    return buf.data();
}

// Reads up to buf.size() bytes (one more than accepted, to notice a file that grew).
Result<size_t> read_all(int fd, std::span<uint8_t> buf) {
    size_t got = 0;
    while (got < buf.size()) {
        ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("read");
        if (n == 0)
            break;
        got += static_cast<size_t>(n);
    }
    return got;
}

}  // namespace

Result<MasterKey> load_master_key(const std::string& path) {
    const std::string what = "master key file " + path;
    // Symlinks are followed on purpose (secret mounts are often symlinks); the mode checked is
    // the target's, through the opened descriptor.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return Error::sys(what + ": open");
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return Error::sys(what + ": fstat");
    if (!S_ISREG(st.st_mode))
        return Error::msg(what + ": not a regular file");
    if ((st.st_mode & 077) != 0)
        return Error::msg(what + ": mode " + octal_mode(st.st_mode) +
                          " lets group or others access it (chmod 600 it)");

    WipedBuffer buf;
    const size_t size = CW_TRY(read_all(fd.get(), buf.bytes).context(what));
    const std::string formats = "; expected 32 raw bytes or 64 hex characters";
    if (size == kMasterKeyBytes)
        return MasterKey::from_bytes(std::span(buf.bytes).first(kMasterKeyBytes));
    const bool hex_size = size == kHexKeyChars || (size == kHexKeyChars + 1 && buf.bytes[kHexKeyChars] == '\n');
    if (!hex_size)
        return Error::msg(what + ": " + std::to_string(size) + (size > kMaxKeyFileBytes ? "+" : "") + " bytes" +
                          formats);

    std::array<uint8_t, kMasterKeyBytes> key{};
    bool all_hex = true;
    for (size_t i = 0; i < kMasterKeyBytes; ++i) {
        const int hi = hex_digit(buf.bytes[2 * i]);
        const int lo = hex_digit(buf.bytes[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            all_hex = false;
            break;
        }
        key[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    Result<MasterKey> out = all_hex ? MasterKey::from_bytes(key)
                                    : Result<MasterKey>(Error::msg(what + ": 64 bytes but not all hex digits" + formats));
    OPENSSL_cleanse(key.data(), key.size());
    return out;
}

}  // namespace cw::attest::store
