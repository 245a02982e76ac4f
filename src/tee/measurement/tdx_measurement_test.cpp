#include "tee/measurement/tdx_measurement.h"

#include <doctest/doctest.h>

#include "tee/measurement/test_vectors.h"

using cw::hex;
using cw::to_hex_lower;
using namespace cw::tee;
using namespace cw::tee::test;

namespace {

TdxMrtd new_mrtd() {
    auto m = TdxMrtd::create();
    REQUIRE_MESSAGE(m.ok(), error_of(m));
    return std::move(m).value();
}

std::string mrtd_hex(const TdxMrtd& m) {
    auto v = m.value();
    REQUIRE_MESSAGE(v.ok(), error_of(v));
    return to_hex_lower(*v);
}

}  // namespace

TEST_CASE("the MEM.PAGE.ADD block for GPA 0x100000 is byte-exact") {
    CHECK(to_hex_lower(tdx_page_add_block(0x100000)) == kPageAddBlock100000);
}

TEST_CASE("the MR.EXTEND block for GPA 0x100000 is byte-exact") {
    CHECK(to_hex_lower(tdx_mr_extend_block(0x100000)) == kMrExtendBlock100000);
}

TEST_CASE("T0: MRTD of an empty build is SHA-384 of nothing") {
    CHECK(mrtd_hex(new_mrtd()) == kT0);
}

TEST_CASE("T1 and T2: one PAGE.ADD") {
    TdxMrtd t1 = new_mrtd();
    REQUIRE(t1.add_page(0x0).ok());
    CHECK(mrtd_hex(t1) == kT1);
    TdxMrtd t2 = new_mrtd();
    REQUIRE(t2.add_page(0x100000).ok());
    CHECK(mrtd_hex(t2) == kT2);
}

TEST_CASE("T3: PAGE.ADD then 16 MR.EXTENDs of p0") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    auto r = m.extend_range(0x100000, pattern_page());
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    CHECK(mrtd_hex(m) == kT3);
}

TEST_CASE("T3 one chunk at a time: extend_range is 16 single extends") {
    auto page = pattern_page();
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    for (uint64_t i = 0; i < 16; ++i)
        REQUIRE(m.extend(0x100000 + i * 256, std::span<const uint8_t>(page).subspan(i * 256, 256)).ok());
    CHECK(mrtd_hex(m) == kT3);
}

TEST_CASE("T4: two pass (all ADDs, then all EXTENDs)") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    REQUIRE(m.add_page(0x101000).ok());
    REQUIRE(m.extend_range(0x100000, pattern_page()).ok());
    REQUIRE(m.extend_range(0x101000, zero_page()).ok());
    CHECK(mrtd_hex(m) == kT4);
}

TEST_CASE("T5: single pass (ADD and EXTENDs page by page)") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    REQUIRE(m.extend_range(0x100000, pattern_page()).ok());
    REQUIRE(m.add_page(0x101000).ok());
    REQUIRE(m.extend_range(0x101000, zero_page()).ok());
    CHECK(mrtd_hex(m) == kT5);
}

TEST_CASE("T5 through add_pages_single_pass, KVM's order") {
    auto contents = pattern_page();
    auto zeros = zero_page();
    contents.insert(contents.end(), zeros.begin(), zeros.end());
    TdxMrtd m = new_mrtd();
    auto r = m.add_pages_single_pass(0x100000, contents);
    REQUIRE_MESSAGE(r.ok(), error_of(r));
    CHECK(mrtd_hex(m) == kT5);
}

TEST_CASE("R1, R2, R3: RTMR extend") {
    Sha384Digest zero{};
    auto r1 = rtmr_extend(zero, digest_from_hex(kSha384Abc));
    REQUIRE(r1.ok());
    CHECK(to_hex_lower(*r1) == kR1);
    auto r2 = rtmr_extend(*r1, sha384({}).value());
    REQUIRE(r2.ok());
    CHECK(to_hex_lower(*r2) == kR2);
    CHECK(to_hex_lower(rtmr_extend(zero, zero).value()) == kR3);
}

TEST_CASE("the trace records each operation with its chunk hash and the running MRTD") {
    TdxMrtd m = new_mrtd();
    m.enable_trace();
    REQUIRE(m.add_page(0x100000).ok());
    REQUIRE(m.extend_range(0x100000, pattern_page()).ok());
    REQUIRE(m.trace().size() == 17);
    CHECK(m.trace()[0].op == TdxOpKind::Add);
    CHECK_FALSE(m.trace()[0].contents.has_value());
    CHECK(to_hex_lower(m.trace()[0].mrtd) == kT2);
    CHECK(m.trace()[16].op == TdxOpKind::Extend);
    CHECK(m.trace()[16].gpa == 0x100f00);
    CHECK(m.trace()[16].contents == sha384(std::span<const uint8_t>(pattern_page()).subspan(0xf00, 256)).value());
    CHECK(to_hex_lower(m.trace()[16].mrtd) == kT3);
}

TEST_CASE("PAGE.ADD refuses an unaligned GPA") {
    TdxMrtd m = new_mrtd();
    CHECK(error_of(m.add_page(0x100100)) == "MEM.PAGE.ADD at GPA 0x100100: GPA is not 4 KiB aligned");
}

TEST_CASE("PAGE.ADD refuses a page added twice") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    CHECK(error_of(m.add_page(0x100000)) == "MEM.PAGE.ADD at GPA 0x100000: page already added");
}

TEST_CASE("MR.EXTEND refuses a page that was not added") {
    TdxMrtd m = new_mrtd();
    CHECK(contains(error_of(m.extend_range(0x100000, pattern_page())), "page 0x100000 was not added"));
    CHECK(mrtd_hex(m) == kT0);
}

TEST_CASE("MR.EXTEND refuses an unaligned GPA or a chunk that is not 256 bytes") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x100000).ok());
    std::vector<uint8_t> chunk(256);
    CHECK(contains(error_of(m.extend(0x100080, chunk)), "GPA is not 256-byte aligned"));
    chunk.pop_back();
    CHECK(contains(error_of(m.extend(0x100000, chunk)), "255 bytes of contents, expected exactly 256"));
    CHECK(contains(error_of(m.extend_range(0x100000, chunk)), "not a whole, non-zero number of 256-byte chunks"));
    CHECK(mrtd_hex(m) == kT2);
}

TEST_CASE("a range running past the end of the address space is refused") {
    TdxMrtd m = new_mrtd();
    std::vector<uint8_t> two_pages(8192);
    CHECK(contains(error_of(m.add_pages_single_pass(0xfffffffffffff000, two_pages)), "past the end"));
    CHECK(contains(error_of(m.extend_range(0xffffffffffffff00, std::vector<uint8_t>(512))), "past the end"));
}

TEST_CASE("add_pages_single_pass checks every page before measuring any") {
    TdxMrtd m = new_mrtd();
    REQUIRE(m.add_page(0x101000).ok());
    std::vector<uint8_t> two_pages(8192);
    CHECK(contains(error_of(m.add_pages_single_pass(0x100000, two_pages)), "0x101000: page already added"));
    TdxMrtd only_the_first_add = new_mrtd();
    REQUIRE(only_the_first_add.add_page(0x101000).ok());
    CHECK(mrtd_hex(m) == mrtd_hex(only_the_first_add));
}
