// The LUKS2 writer through libcryptsetup and the cryptsetup CLI: keyslot 0 gives back a
// volume key that decrypts every sector to the plaintext, the header has the promised
// parameters, and a wrong secret fails cleanly. (tests/disk-tests.py does the independent
// checks on oci2cw's output: Python AES-XTS and cryptsetup's own offline decryption.)
#include "luks2.h"

#include <doctest/doctest.h>
#include <fcntl.h>

#include <algorithm>

#include "base/unique_fd.h"
#include "test_util.h"

namespace cw::disk {
namespace {

Secret fixed_secret(uint8_t seed) {
    Secret s;
    for (size_t i = 0; i < kSecretSize; ++i)
        s.span()[i] = static_cast<uint8_t>(seed + i * 7);
    return s;
}

struct Written {
    std::vector<uint8_t> plain;
    std::string disk;
    LuksInfo info;
};

Written write_disk(const test::TempDir& dir, size_t size, const Secret& secret) {
    Written w;
    w.plain = test::pseudo_random(size, size);
    std::string plain_path = dir.file("plain.img");
    test::write_file(plain_path, w.plain);
    w.disk = dir.file("disk.img");
    UniqueFd plain(::open(plain_path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(plain.valid());
    auto r = write_luks2_disk(w.disk, plain.get(), size, secret.span());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    w.info = r.value();
    return w;
}

TEST_CASE("luks2: keyslot 0 yields the key that decrypts every sector") {
    test::TempDir dir;
    Secret secret = fixed_secret(1);
    Written w = write_disk(dir, 64 * 4096, secret);
    CHECK(w.info.data_offset == 1 << 20);
    CHECK(w.info.payload_size == 64 * 4096);
    std::vector<uint8_t> disk = test::read_file(w.disk);
    REQUIRE(disk.size() == (1 << 20) + 64 * 4096);

    auto vk = unlock_volume_key(w.disk, secret.span());
    REQUIRE_MESSAGE(vk.ok(), (vk.ok() ? "" : vk.error().to_string()));
    auto dec = XtsSectorCipher::create(vk.value().span(), false);
    REQUIRE(dec.ok());
    std::span<uint8_t> payload(disk.data() + (1 << 20), 64 * 4096);
    CHECK(!std::equal(payload.begin(), payload.end(), w.plain.begin()));
    REQUIRE(dec.value().apply(0, payload).ok());
    CHECK(std::equal(payload.begin(), payload.end(), w.plain.begin()));
}

TEST_CASE("luks2: the header has the documented parameters (cryptsetup luksDump)") {
    test::TempDir dir;
    Written w = write_disk(dir, 4 * 4096, fixed_secret(2));
    auto dump = test::run("cryptsetup luksDump " + w.disk);
    REQUIRE_MESSAGE(dump.status == 0, dump.output);
    for (const std::string& want : std::vector<std::string>{"Version:       \t2", "Metadata area: \t16384 [bytes]", "Keyslots area: \t1015808 [bytes]",
                             "offset: 1048576 [bytes]", "cipher: aes-xts-plain64", "sector: 4096 [bytes]",
                             "PBKDF:      pbkdf2", "Iterations: 1000", "Key:        512 bits", "UUID:          \t" + w.info.uuid})
        CHECK_MESSAGE(dump.output.find(want) != std::string::npos, want);
    CHECK(dump.output.find("  1: luks2") == std::string::npos);  // keyslot 0 only
}

TEST_CASE("luks2: a wrong secret fails cleanly") {
    test::TempDir dir;
    Written w = write_disk(dir, 4 * 4096, fixed_secret(3));
    auto r = unlock_volume_key(w.disk, fixed_secret(4).span());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string() == "the secret does not unlock " + w.disk);

    std::string wrong = dir.file("wrong.key"), right = dir.file("right.key");
    Secret bad = fixed_secret(4), good = fixed_secret(3);
    test::write_file(wrong, std::vector<uint8_t>(bad.span().begin(), bad.span().end()));
    test::write_file(right, std::vector<uint8_t>(good.span().begin(), good.span().end()));
    auto cli_bad = test::run("cryptsetup open --test-passphrase --key-file " + wrong + " " + w.disk);
    CHECK(cli_bad.status == 2);  // EPERM: no key available with this passphrase
    auto cli_good = test::run("cryptsetup open --test-passphrase --key-file " + right + " " + w.disk);
    CHECK_MESSAGE(cli_good.status == 0, cli_good.output);
}

TEST_CASE("luks2: a payload that is not whole sectors, or not a LUKS2 file, is refused") {
    test::TempDir dir;
    auto r = write_luks2_disk(dir.file("disk.img"), -1, 4097, fixed_secret(5).span());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string() == "LUKS2 payload of 4097 bytes is not whole 4096-byte sectors");
    std::string junk = dir.file("junk.img");
    test::write_file(junk, test::pseudo_random(1 << 20, 9));
    auto u = unlock_volume_key(junk, fixed_secret(5).span());
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().to_string().find("reading the LUKS2 header of " + junk) == 0);
    // libcryptsetup only ever sees an in-memory copy; its messages must not name that copy.
    CHECK_MESSAGE(u.error().to_string().find("/proc/self/fd") == std::string::npos, u.error().to_string());
}

}  // namespace
}  // namespace cw::disk
