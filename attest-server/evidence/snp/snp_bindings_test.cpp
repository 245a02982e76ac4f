// CHIP_ID / hwID and REPORTED_TCB / SPL bindings, with certificate fields altered in memory
// (a real mismatch with a valid signature would need AMD's keys).
#include <doctest/doctest.h>

#include "evidence/snp/snp_bindings.h"
#include "evidence/snp/snp_test_support.h"

namespace cw::attest {
namespace {

struct Fixture {
    SnpReport report;
    SnpCertExtensions vcek;
};

Fixture gsg() {
    auto report = parse_snp_report(testing::vector_bytes(testing::kGsgReport));
    REQUIRE(report.ok());
    X509Ptr cert = testing::vector_cert(testing::kGsgVcek);
    auto ext = parse_snp_cert_extensions(cert.get());
    REQUIRE(ext.ok());
    return {std::move(report).value(), std::move(ext).value()};
}

const SnpTcb kGsgTcb{.boot_loader = 2, .tee = 0, .snp = 5, .microcode = 0x44};

TEST_CASE("CHIP_ID matches the VCEK hwID; any other hwID fails") {
    Fixture f = gsg();
    CHECK(check_snp_chip_id(f.report, f.vcek).ok());
    f.vcek.hwid[63] ^= 1;
    auto r = check_snp_chip_id(f.report, f.vcek);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("is not the VCEK hwID") != std::string::npos);
}

TEST_CASE("a masked (zero) CHIP_ID cannot match and says why") {
    Fixture f = gsg();
    f.report.wire.chip_id.fill(0);
    f.report.mask_chip_key = true;
    auto r = check_snp_chip_id(f.report, f.vcek);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("MASK_CHIP_KEY") != std::string::npos);
}

TEST_CASE("Turin: the 8-byte hwID is compared with CHIP_ID[0..8]") {
    Fixture f = gsg();
    f.vcek.hwid.assign(f.report.wire.chip_id.begin(), f.report.wire.chip_id.begin() + 8);
    CHECK(check_snp_chip_id(f.report, f.vcek).ok());
    f.vcek.hwid[7] ^= 1;
    CHECK_FALSE(check_snp_chip_id(f.report, f.vcek).ok());
}

TEST_CASE("every SPL must equal its REPORTED_TCB component") {
    Fixture f = gsg();
    CHECK(check_snp_reported_tcb(kGsgTcb, f.vcek, SnpProduct::Milan).ok());
    for (uint8_t SnpTcb::*component : {&SnpTcb::boot_loader, &SnpTcb::tee, &SnpTcb::snp, &SnpTcb::microcode}) {
        SnpTcb other = kGsgTcb;
        other.*component = static_cast<uint8_t>(other.*component + 1);
        CHECK_FALSE(check_snp_reported_tcb(other, f.vcek, SnpProduct::Milan).ok());
    }
}

TEST_CASE("a missing SPL extension fails; FMC is required on Turin only") {
    Fixture f = gsg();
    CHECK_FALSE(check_snp_reported_tcb(kGsgTcb, f.vcek, SnpProduct::Turin).ok());  // no FMC SPL
    f.vcek.fmc_spl = 0;
    CHECK(check_snp_reported_tcb(kGsgTcb, f.vcek, SnpProduct::Turin).ok());
    SnpTcb fmc = kGsgTcb;
    fmc.fmc = 1;
    CHECK_FALSE(check_snp_reported_tcb(fmc, f.vcek, SnpProduct::Turin).ok());
    CHECK(check_snp_reported_tcb(fmc, f.vcek, SnpProduct::Milan).ok());  // Milan has no FMC
    f.vcek.snp_spl.reset();
    auto r = check_snp_reported_tcb(kGsgTcb, f.vcek, SnpProduct::Milan);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().find("no SNP SPL") != std::string::npos);
}

}  // namespace
}  // namespace cw::attest
