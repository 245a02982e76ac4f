// The dm-verity tree against `veritysetup` (cryptsetup-bin): for each size the tree must be
// byte-identical to what `veritysetup format --no-superblock` writes for the same salt, the
// root hashes must agree, `veritysetup verify` must accept our file (data and tree in one
// file, as oci2cw ships it) and must reject it after one flipped data byte. Sizes cover the
// edges of the 128-way tree: 1 block (no tree), 128 (one full hash block), 129 (a second
// level), 128^2 and 128^2 + 1 (a third level), and sizes that are not whole blocks.
#include "verity.h"

#include <doctest/doctest.h>
#include <fcntl.h>

#include <algorithm>

#include "base/hex.h"
#include "base/unique_fd.h"
#include "test_util.h"

namespace cw::disk {
namespace {

std::array<uint8_t, kVeritySaltSize> test_salt() {
    std::array<uint8_t, kVeritySaltSize> s{};
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<uint8_t>(0xa0 + i);
    return s;
}

std::string common_args(const VerityInfo& v) {
    return " --no-superblock --format=1 --hash=sha256 --data-block-size=4096 --hash-block-size=4096 --data-blocks=" +
           std::to_string(v.data_blocks) + " --salt=" + to_hex_lower(v.salt);
}

void check_size(uint64_t data_size) {
    CAPTURE(data_size);
    test::TempDir dir;
    std::string ours = dir.file("ours.img");
    std::vector<uint8_t> data = test::pseudo_random(static_cast<size_t>(data_size), data_size);
    test::write_file(ours, data);

    UniqueFd fd(::open(ours.c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(fd.valid());
    auto r = append_verity_tree(fd.get(), data_size, test_salt());
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
    fd.reset();
    const VerityInfo& v = r.value();
    uint64_t padded = (data_size + 4095) / 4096 * 4096;
    CHECK(v.data_blocks == padded / 4096);
    CHECK(v.hash_offset == padded);
    std::vector<uint8_t> file = test::read_file(ours);
    REQUIRE(file.size() == padded + v.hash_size);
    CHECK(std::equal(data.begin(), data.end(), file.begin()));
    CHECK(std::all_of(file.begin() + static_cast<ptrdiff_t>(data_size), file.begin() + static_cast<ptrdiff_t>(padded),
                      [](uint8_t b) { return b == 0; }));

    // veritysetup's own tree for the same padded data and salt, in a separate file.
    std::string ref_data = dir.file("ref.data"), ref_hash = dir.file("ref.hash");
    test::write_file(ref_data, std::vector<uint8_t>(file.begin(), file.begin() + static_cast<ptrdiff_t>(padded)));
    test::write_file(ref_hash, {});
    auto fmt = test::run("veritysetup format" + common_args(v) + " " + ref_data + " " + ref_hash);
    REQUIRE_MESSAGE(fmt.status == 0, fmt.output);
    CHECK_MESSAGE(fmt.output.find("Root hash:      \t" + to_hex_lower(v.root_hash)) != std::string::npos, fmt.output);
    std::vector<uint8_t> ref_tree = test::read_file(ref_hash);
    CHECK(ref_tree.size() == v.hash_size);
    CHECK(std::equal(ref_tree.begin(), ref_tree.end(), file.begin() + static_cast<ptrdiff_t>(padded)));

    // The shipped form: data and tree in one file, the tree at hash_offset.
    std::string verify = "veritysetup verify" + common_args(v) + " --hash-offset=" + std::to_string(v.hash_offset) +
                         " " + ours + " " + ours + " " + to_hex_lower(v.root_hash);
    auto ok = test::run(verify);
    CHECK_MESSAGE(ok.status == 0, ok.output);
    file[static_cast<size_t>(data_size / 2)] ^= 0x01;
    test::write_file(ours, file);
    auto bad = test::run(verify);
    CHECK_MESSAGE(bad.status != 0, bad.output);
}

TEST_CASE("verity: tree and root hash match veritysetup at the fan-out edges") {
    for (uint64_t blocks : {uint64_t{1}, uint64_t{2}, uint64_t{128}, uint64_t{129}, uint64_t{16384}, uint64_t{16385}})
        check_size(blocks * 4096);
}

TEST_CASE("verity: sizes that are not whole blocks are zero-padded") {
    for (uint64_t size : {uint64_t{1}, uint64_t{4095}, uint64_t{4097}, uint64_t{128 * 4096 + 1}})
        check_size(size);
}

TEST_CASE("verity: tree sizes") {
    CHECK(verity_tree_size(1) == 0);
    CHECK(verity_tree_size(128) == 4096);
    CHECK(verity_tree_size(129) == 3 * 4096);
    CHECK(verity_tree_size(16384) == 129 * 4096);
    CHECK(verity_tree_size(16385) == (129 + 2 + 1) * 4096);
}

TEST_CASE("verity: an empty or short file is refused") {
    test::TempDir dir;
    std::string path = dir.file("short.img");
    test::write_file(path, test::pseudo_random(100, 1));
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(fd.valid());
    auto empty = append_verity_tree(fd.get(), 0, test_salt());
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().to_string() == "dm-verity: no data to hash");
    auto r = append_verity_tree(fd.get(), 3 * 4096, test_salt());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().to_string().find("dm-verity: reading the data: file ends early") == 0);
}

}  // namespace
}  // namespace cw::disk
