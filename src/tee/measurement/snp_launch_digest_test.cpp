#include "tee/measurement/snp_launch_digest.h"

#include <doctest/doctest.h>

#include "tee/measurement/test_vectors.h"

using cw::hex;
using cw::to_hex_lower;
using namespace cw::tee;
using namespace cw::tee::test;

namespace {

// Vector A up to and including step `steps` (1-3), from 48 zero bytes.
SnpLaunchDigest chain_a(int steps) {
    SnpLaunchDigest d;
    REQUIRE(d.update(SnpPageType::Normal, 0x100000, pattern_page()).ok());
    if (steps >= 2)
        REQUIRE(d.update(SnpPageType::Zero, 0x200000, {}).ok());
    if (steps >= 3)
        REQUIRE(d.update(SnpPageType::Vmsa, kSnpVmsaGpa, vmsa_pattern_page()).ok());
    return d;
}

std::string one_step(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page = {}) {
    SnpLaunchDigest d;
    auto r = d.update(type, gpa, page);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    return to_hex_lower(d.digest());
}

std::string update_error(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page) {
    SnpLaunchDigest d;
    return error_of(d.update(type, gpa, page));
}

}  // namespace

TEST_CASE("A1: the PAGE_INFO of a NORMAL page is byte-exact") {
    SnpPageInfo info{};
    info.contents = sha384(pattern_page()).value();
    info.length = sizeof(SnpPageInfo);
    info.page_type = static_cast<uint8_t>(SnpPageType::Normal);
    info.gpa = 0x100000;
    auto bytes = snp_page_info_bytes(info);
    CHECK(to_hex_lower(bytes) == kA1PageInfo);
    CHECK(to_hex_lower(sha384(bytes).value()) == kA1Digest);
}

TEST_CASE("A1: the CONTENTS of a NORMAL page is the SHA-384 of the page") {
    CHECK(to_hex_lower(sha384(pattern_page()).value()) == kA1Contents);
}

TEST_CASE("A1, A2, A3: the chain reproduces every step") {
    CHECK(to_hex_lower(chain_a(1).digest()) == kA1Digest);
    CHECK(to_hex_lower(chain_a(2).digest()) == kA2Digest);
    CHECK(to_hex_lower(chain_a(3).digest()) == kA3Digest);
}

TEST_CASE("A2 from a seed: a digest can start from an earlier result") {
    SnpLaunchDigest d(digest_from_hex(kA1Digest));
    REQUIRE(d.update(SnpPageType::Zero, 0x200000, {}).ok());
    CHECK(to_hex_lower(d.digest()) == kA2Digest);
}

TEST_CASE("a new digest starts from 48 zero bytes") {
    CHECK(SnpLaunchDigest().digest() == Sha384Digest{});
}

TEST_CASE("B vectors: one step of each remaining page type") {
    CHECK(one_step(SnpPageType::Unmeasured, 0x300000) == kBUnmeasured);
    CHECK(one_step(SnpPageType::Secrets, 0x80D000) == kBSecrets);
    CHECK(one_step(SnpPageType::Cpuid, 0x80E000) == kBCpuid);
    CHECK(one_step(SnpPageType::Zero, 0x200000) == kBZero);
    CHECK(one_step(SnpPageType::Normal, 0x0, zero_page()) == kBNormal);
}

TEST_CASE("C: a two-page NORMAL range advances the GPA by 0x1000") {
    auto contents = pattern_page();
    auto zeros = zero_page();
    contents.insert(contents.end(), zeros.begin(), zeros.end());
    SnpLaunchDigest d;
    auto r = d.update_range(SnpPageType::Normal, 0x100000, contents);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    CHECK(to_hex_lower(d.digest()) == kCDigest);
}

TEST_CASE("a range of pages without contents equals one update per page") {
    SnpLaunchDigest by_range;
    REQUIRE(by_range.update_range(SnpPageType::Zero, 0x200000, uint64_t{2}).ok());
    SnpLaunchDigest by_page;
    REQUIRE(by_page.update(SnpPageType::Zero, 0x200000, {}).ok());
    REQUIRE(by_page.update(SnpPageType::Zero, 0x201000, {}).ok());
    CHECK(by_range.digest() == by_page.digest());
}

TEST_CASE("the trace records type, GPA, CONTENTS and the running digest of every page") {
    SnpLaunchDigest d;
    d.enable_trace();
    REQUIRE(d.update(SnpPageType::Normal, 0x100000, pattern_page()).ok());
    REQUIRE(d.update(SnpPageType::Zero, 0x200000, {}).ok());
    REQUIRE(d.trace().size() == 2);
    CHECK(d.trace()[0].type == SnpPageType::Normal);
    CHECK(d.trace()[0].gpa == 0x100000);
    CHECK(to_hex_lower(d.trace()[0].contents) == kA1Contents);
    CHECK(to_hex_lower(d.trace()[0].digest) == kA1Digest);
    CHECK(d.trace()[1].contents == Sha384Digest{});
    CHECK(to_hex_lower(d.trace()[1].digest) == kA2Digest);
}

TEST_CASE("without enable_trace nothing is recorded") {
    CHECK(chain_a(3).trace().empty());
}

TEST_CASE("an unaligned GPA is refused, naming the page") {
    CHECK(update_error(SnpPageType::Normal, 0x100800, pattern_page()) ==
          "NORMAL page at GPA 0x100800: GPA is not 4 KiB aligned");
}

TEST_CASE("a NORMAL page must be exactly 4096 bytes") {
    auto page = pattern_page();
    page.pop_back();
    CHECK(contains(update_error(SnpPageType::Normal, 0x100000, page), "4095 bytes of contents, expected exactly 4096"));
}

TEST_CASE("a VMSA page must be exactly 4096 bytes") {
    CHECK(contains(update_error(SnpPageType::Vmsa, kSnpVmsaGpa, {}), "0 bytes of contents, expected exactly 4096"));
}

TEST_CASE("a ZERO page takes no contents") {
    CHECK(contains(update_error(SnpPageType::Zero, 0x200000, zero_page()), "ZERO pages are not hashed and take none"));
}

TEST_CASE("an unknown page type is refused") {
    CHECK(update_error(static_cast<SnpPageType>(7), 0x1000, {}) == "unknown SNP page type 7 (valid: 1-6)");
    CHECK(update_error(static_cast<SnpPageType>(0), 0x1000, {}) == "unknown SNP page type 0 (valid: 1-6)");
}

TEST_CASE("a refused update leaves the digest unchanged") {
    SnpLaunchDigest d = chain_a(1);
    CHECK_FALSE(d.update(SnpPageType::Normal, 0x100001, pattern_page()).ok());
    CHECK(to_hex_lower(d.digest()) == kA1Digest);
}

TEST_CASE("a NORMAL range must be a whole, non-zero number of pages") {
    SnpLaunchDigest d;
    auto partial = pattern_page();
    partial.resize(6000);
    CHECK(contains(error_of(d.update_range(SnpPageType::Normal, 0x100000, partial)), "6000 bytes of contents"));
    CHECK(contains(error_of(d.update_range(SnpPageType::Normal, 0x100000, std::span<const uint8_t>{})), "0 bytes"));
    CHECK(d.digest() == Sha384Digest{});
}

TEST_CASE("a VMSA range is exactly one page") {
    std::vector<uint8_t> two_pages(8192);
    SnpLaunchDigest d;
    CHECK(contains(error_of(d.update_range(SnpPageType::Vmsa, kSnpVmsaGpa, two_pages)), "a VMSA is exactly one page"));
}

TEST_CASE("range updates refuse the wrong kind of range") {
    SnpLaunchDigest d;
    CHECK(contains(error_of(d.update_range(SnpPageType::Zero, 0x0, zero_page())), "measure them by page count"));
    CHECK(contains(error_of(d.update_range(SnpPageType::Normal, 0x0, uint64_t{1})), "their contents are needed"));
    CHECK(contains(error_of(d.update_range(SnpPageType::Zero, 0x0, uint64_t{0})), "empty range"));
}

TEST_CASE("a range running past the end of the address space is refused before hashing") {
    SnpLaunchDigest d;
    CHECK(contains(error_of(d.update_range(SnpPageType::Zero, 0xfffffffffffff000, uint64_t{2})),
                   "run past the end of the address space"));
    CHECK(d.update_range(SnpPageType::Zero, 0xfffffffffffff000, uint64_t{1}).ok());
}
