#include "tee/measurement/page_list.h"

#include <doctest/doctest.h>

#include "tee/measurement/test_vectors.h"

using cw::hex;
using cw::to_hex_lower;
using namespace cw::tee;
using namespace cw::tee::test;

namespace {

std::vector<SnpPage> vector_a_pages() {
    return {
        SnpPage{SnpPageType::Normal, 0x100000, pattern_page()},
        SnpPage{SnpPageType::Zero, 0x200000, {}},
        SnpPage{SnpPageType::Vmsa, kSnpVmsaGpa, vmsa_pattern_page()},
    };
}

std::vector<uint8_t> two_pages() {
    auto contents = pattern_page();
    auto zeros = zero_page();
    contents.insert(contents.end(), zeros.begin(), zeros.end());
    return contents;
}

}  // namespace

TEST_CASE("the SNP digest of vector A's page list is A3") {
    auto d = snp_launch_digest(vector_a_pages());
    REQUIRE_MESSAGE(d.ok(), error_of(d));
    CHECK(to_hex_lower(*d) == kA3Digest);
}

TEST_CASE("a multi-page NORMAL entry is one PAGE_INFO per page (vector C)") {
    std::vector<SnpPage> pages{SnpPage{SnpPageType::Normal, 0x100000, two_pages()}};
    CHECK(to_hex_lower(snp_launch_digest(pages).value()) == kCDigest);
}

TEST_CASE("an SNP page list error names the index of the bad page") {
    auto pages = vector_a_pages();
    pages[1].contents = zero_page();
    CHECK(contains(error_of(snp_launch_digest(pages)), "page 1: ZERO page at GPA 0x200000"));
}

TEST_CASE("the TDX MRTD of an op list follows the op order (vectors T4 and T5)") {
    std::vector<TdxOp> two_pass{
        TdxOp{TdxOpKind::Add, 0x100000, {}},
        TdxOp{TdxOpKind::Add, 0x101000, {}},
        TdxOp{TdxOpKind::Extend, 0x100000, two_pages()},
    };
    std::vector<TdxOp> single_pass{
        TdxOp{TdxOpKind::Add, 0x100000, {}},
        TdxOp{TdxOpKind::Extend, 0x100000, pattern_page()},
        TdxOp{TdxOpKind::Add, 0x101000, {}},
        TdxOp{TdxOpKind::Extend, 0x101000, zero_page()},
    };
    CHECK(to_hex_lower(tdx_mrtd(two_pass).value()) == kT4);
    CHECK(to_hex_lower(tdx_mrtd(single_pass).value()) == kT5);
}

TEST_CASE("a TDX add takes no contents, and the error names the operation index") {
    std::vector<TdxOp> ops{TdxOp{TdxOpKind::Add, 0x100000, pattern_page()}};
    CHECK(contains(error_of(tdx_mrtd(ops)), "operation 0: MEM.PAGE.ADD at GPA 0x100000: 4096 bytes of contents given"));
}
