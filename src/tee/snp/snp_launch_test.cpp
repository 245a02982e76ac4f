#include "tee/snp/snp_launch.h"

#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <vector>

#include "base/hex.h"
#include "tee/launch/workload_cpio.h"
#include "tee/measurement/page_list.h"
#include "tee/measurement/test_vectors.h"
#include "tee/snp/fake_snp_kvm.h"

using namespace cw::tee;
using namespace cw::tee::snp;
using cw::tee::snp::testing::FakeSnpKvm;
using cw::tee::test::contains;
using cw::tee::test::error_of;

namespace {

constexpr uint64_t kVmsaFeatures = 0x1;  // any value: it is passed through

std::vector<uint8_t> pages_of(uint8_t seed, size_t count) {
    std::vector<uint8_t> bytes(count * kSnpPageSize);
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 7);
    return bytes;
}

SnpVmsaPage vmsa_of(const std::vector<uint8_t>& page) {
    SnpVmsaPage vmsa{};
    std::copy(page.begin(), page.end(), vmsa.begin());
    return vmsa;
}

void start_launch(SnpLaunch& launch, SnpPolicyConfig policy = {}) {
    REQUIRE(launch.init(kVmsaFeatures).ok());
    REQUIRE(launch.start(policy).ok());
}

std::string error_text(const cw::Result<void>& r) { return error_of(r); }

}  // namespace

TEST_CASE("INIT2 passes the VMSA features and GHCB version 2, nothing else") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    REQUIRE(launch.init(0x21).ok());
    REQUIRE(kvm.init.has_value());
    CHECK(kvm.init->vmsa_features == 0x21);
    CHECK(kvm.init->ghcb_version == 2);
    CHECK(kvm.init->flags == 0);
    CHECK(launch.state() == SnpLaunchState::Initialized);
}

TEST_CASE("LAUNCH_START's policy: reserved bit 17, SMT as configured, no debug, ABI as configured") {
    SUBCASE("SMT allowed") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch, SnpPolicyConfig{true, 0, 0});
        CHECK(kvm.start->policy == 0x30000);
    }
    SUBCASE("SMT refused") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch, SnpPolicyConfig{false, 0, 0});
        CHECK(kvm.start->policy == 0x20000);
    }
    SUBCASE("minimum ABI 1.55") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch, SnpPolicyConfig{true, 1, 55});
        CHECK(kvm.start->policy == 0x30137);
        CHECK((kvm.start->policy & kPolicyDebug) == 0);
        CHECK((kvm.start->policy & kPolicyMigrateMa) == 0);
        CHECK(kvm.start->flags == 0);
    }
}

TEST_CASE("LAUNCH_UPDATE passes page types, GPAs and source exactly as given, in order") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    const auto kernel = pages_of(1, 3);
    const auto zero = pages_of(0, 2);
    const auto secrets = pages_of(0, 1);
    const auto cpuid = pages_of(9, 1);
    const auto unmeasured = pages_of(5, 1);
    REQUIRE(launch.update(SnpPageType::Normal, 0x100000, kernel).ok());
    REQUIRE(launch.update(SnpPageType::Zero, 0x200000, zero).ok());
    REQUIRE(launch.update(SnpPageType::Secrets, 0x202000, secrets).ok());
    REQUIRE(launch.update(SnpPageType::Cpuid, 0x203000, cpuid).ok());
    REQUIRE(launch.update(SnpPageType::Unmeasured, 0x300000, unmeasured).ok());

    REQUIRE(kvm.updates.size() == 5);
    struct Expect { uint64_t gfn; uint8_t type; const std::vector<uint8_t>* source; };
    const Expect expected[] = {{0x100, 1, &kernel}, {0x200, 3, &zero}, {0x202, 5, &secrets}, {0x203, 6, &cpuid},
                               {0x300, 4, &unmeasured}};
    for (size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        CHECK(kvm.updates[i].gfn_start == expected[i].gfn);
        CHECK(kvm.updates[i].type == expected[i].type);
        CHECK(kvm.updates[i].uaddr == std::bit_cast<uintptr_t>(expected[i].source->data()));
        CHECK(kvm.updates[i].len == expected[i].source->size());
        CHECK(kvm.updates[i].flags == 0);
    }
    CHECK(launch.state() == SnpLaunchState::Updating);
}

TEST_CASE("LAUNCH_FINISH carries HOST_DATA = SHA-256 of the workload configuration") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    const std::string config = R"({"workload_id":"w1"})";
    const auto host_data = workload_host_data(std::span(reinterpret_cast<const uint8_t*>(config.data()), config.size()));
    REQUIRE(host_data.ok());
    const SnpVmsaPage vmsa{};
    REQUIRE(launch.finish(host_data.value(), std::span(&vmsa, 1)).ok());
    REQUIRE(kvm.finish.has_value());
    CHECK(cw::to_hex_lower(kvm.finish->host_data) ==
          cw::to_hex_lower(host_data.value()));
    CHECK(kvm.finish->id_block_en == 0);
    CHECK(kvm.finish->auth_key_en == 0);
    CHECK(kvm.finish->id_block_uaddr == 0);
    CHECK(kvm.finish->flags == 0);
    CHECK(kvm.calls == std::vector<std::string>{"init2", "start", "finish"});
    CHECK(launch.state() == SnpLaunchState::Finished);
}

TEST_CASE("the launch's digest reproduces vector A (NORMAL, ZERO, then a VMSA at finish)") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    REQUIRE(launch.update(SnpPageType::Normal, 0x100000, test::pattern_page()).ok());
    REQUIRE(launch.update(SnpPageType::Zero, 0x200000, test::zero_page()).ok());
    const SnpVmsaPage vmsa = vmsa_of(test::vmsa_pattern_page());
    REQUIRE(launch.finish(SnpHostData{}, std::span(&vmsa, 1)).ok());
    CHECK(cw::to_hex_lower(launch.digest().digest()) == test::kA3Digest);
}

TEST_CASE("the launch's digest equals the offline library's for the same page list") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    const auto kernel = pages_of(3, 4);
    const auto cmdline = pages_of(42, 1);
    const auto cpuid = pages_of(0, 1);
    REQUIRE(launch.update(SnpPageType::Normal, 0x1000000, kernel).ok());
    REQUIRE(launch.update(SnpPageType::Normal, 0x1004000, cmdline).ok());
    REQUIRE(launch.update(SnpPageType::Zero, 0x2000000, pages_of(0, 2)).ok());
    REQUIRE(launch.update(SnpPageType::Secrets, 0x2002000, pages_of(0, 1)).ok());
    REQUIRE(launch.update(SnpPageType::Cpuid, 0x2003000, cpuid).ok());
    const SnpVmsaPage vmsas[] = {vmsa_of(pages_of(11, 1)), vmsa_of(pages_of(12, 1))};
    REQUIRE(launch.finish(SnpHostData{}, vmsas).ok());

    // The same launch as the page list cw-measure snp-pages reads.
    std::vector<SnpPage> list = {
        {SnpPageType::Normal, 0x1000000, kernel},
        {SnpPageType::Normal, 0x1004000, cmdline},
        {SnpPageType::Zero, 0x2000000, {}},
        {SnpPageType::Zero, 0x2001000, {}},
        {SnpPageType::Secrets, 0x2002000, {}},
        {SnpPageType::Cpuid, 0x2003000, {}},
        {SnpPageType::Vmsa, kSnpVmsaGpa, pages_of(11, 1)},
        {SnpPageType::Vmsa, kSnpVmsaGpa, pages_of(12, 1)},
    };
    auto offline = snp_launch_digest(list);
    REQUIRE_MESSAGE(offline.ok(), error_of(offline));
    CHECK(cw::to_hex_lower(launch.digest().digest()) == cw::to_hex_lower(offline.value()));
}

TEST_CASE("steps out of order are refused, naming the step and the state") {
    SUBCASE("update before start") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        REQUIRE(launch.init(0).ok());
        auto r = launch.update(SnpPageType::Normal, 0x1000, pages_of(0, 1));
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "SNP_LAUNCH_UPDATE: not allowed in state 'initialized' (needs 'started' or 'updating')");
        CHECK(kvm.updates.empty());
    }
    SUBCASE("start before init") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        auto r = launch.start({});
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "SNP_LAUNCH_START: not allowed in state 'created' (needs 'initialized')");
        CHECK(kvm.calls.empty());
    }
    SUBCASE("init twice") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        REQUIRE(launch.init(0).ok());
        auto r = launch.init(0);
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_SEV_INIT2: not allowed in state 'initialized'"));
    }
    SUBCASE("finish twice") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch);
        const SnpVmsaPage vmsa{};
        REQUIRE(launch.finish(SnpHostData{}, std::span(&vmsa, 1)).ok());
        auto r = launch.finish(SnpHostData{}, std::span(&vmsa, 1));
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "SNP_LAUNCH_FINISH: not allowed in state 'finished'"));
        CHECK(kvm.calls == std::vector<std::string>{"init2", "start", "finish"});
    }
    SUBCASE("update after finish") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch);
        const SnpVmsaPage vmsa{};
        REQUIRE(launch.finish(SnpHostData{}, std::span(&vmsa, 1)).ok());
        auto r = launch.update(SnpPageType::Normal, 0x1000, pages_of(0, 1));
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "SNP_LAUNCH_UPDATE: not allowed in state 'finished'"));
    }
}

TEST_CASE("after a failure the launch is dead: every later call fails, naming the first failure") {
    SUBCASE("a KVM error at INIT2, then start") {
        FakeSnpKvm kvm;
        kvm.fail_on = "init2";
        SnpLaunch launch(kvm);
        auto first = launch.init(0);
        REQUIRE_FALSE(first.ok());
        CHECK(contains(error_text(first), "KVM_SEV_INIT2: fake init2"));
        auto r = launch.start({});
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "SNP_LAUNCH_START: the SNP launch already failed (KVM_SEV_INIT2: fake init2)"));
        CHECK(launch.state() == SnpLaunchState::Failed);
        CHECK(kvm.calls == std::vector<std::string>{"init2"});
    }
    SUBCASE("a refused update, then finish never reaches KVM") {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch);
        REQUIRE(launch.update(SnpPageType::Normal, 0x200000, pages_of(0, 1)).ok());
        auto below = launch.update(SnpPageType::Normal, 0x100000, pages_of(0, 1));
        REQUIRE_FALSE(below.ok());
        CHECK(contains(error_text(below), "SNP_LAUNCH_UPDATE at GPA 0x100000: below the end of the previous range"));
        const SnpVmsaPage vmsa{};
        auto r = launch.finish(SnpHostData{}, std::span(&vmsa, 1));
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "SNP_LAUNCH_FINISH: the SNP launch already failed"));
        CHECK_FALSE(kvm.finish.has_value());
    }
    SUBCASE("a KVM error at LAUNCH_UPDATE, then another update") {
        FakeSnpKvm kvm;
        kvm.fail_on = "update";
        SnpLaunch launch(kvm);
        start_launch(launch);
        auto first = launch.update(SnpPageType::Normal, 0x1000, pages_of(0, 1));
        REQUIRE_FALSE(first.ok());
        CHECK(contains(error_text(first), "SNP_LAUNCH_UPDATE at GPA 0x1000: fake update"));
        auto r = launch.update(SnpPageType::Normal, 0x2000, pages_of(0, 1));
        REQUIRE_FALSE(r.ok());
        CHECK(kvm.updates.size() == 1);
    }
}

TEST_CASE("malformed updates are refused before reaching KVM") {
    auto refused = [](SnpPageType type, uint64_t gpa, size_t bytes, const char* why) {
        FakeSnpKvm kvm;
        SnpLaunch launch(kvm);
        start_launch(launch);
        const std::vector<uint8_t> source(bytes);
        auto r = launch.update(type, gpa, source);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(contains(error_text(r), why), error_text(r));
        CHECK(kvm.updates.empty());
        CHECK(launch.state() == SnpLaunchState::Failed);
    };
    refused(SnpPageType::Vmsa, kSnpVmsaGpa, 4096, "page type VMSA is not updated");
    refused(SnpPageType::Normal, 0x1800, 4096, "not 4 KiB aligned");
    refused(SnpPageType::Normal, 0x1000, 0, "0 bytes of source");
    refused(SnpPageType::Normal, 0x1000, 100, "100 bytes of source");
    refused(SnpPageType::Zero, 0xFFFFFFFFFFFFF000, 8192, "wraps around");
}

TEST_CASE("an overlapping update is refused; an adjacent one is accepted") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    REQUIRE(launch.update(SnpPageType::Normal, 0x1000, pages_of(0, 2)).ok());
    REQUIRE(launch.update(SnpPageType::Normal, 0x3000, pages_of(0, 1)).ok());
    auto r = launch.update(SnpPageType::Zero, 0x3000, pages_of(0, 1));
    REQUIRE_FALSE(r.ok());
    CHECK(contains(error_text(r), "below the end of the previous range (0x4000)"));
}

TEST_CASE("finish without VMSA pages is refused") {
    FakeSnpKvm kvm;
    SnpLaunch launch(kvm);
    start_launch(launch);
    auto r = launch.finish(SnpHostData{}, {});
    REQUIRE_FALSE(r.ok());
    CHECK(contains(error_text(r), "SNP_LAUNCH_FINISH: no VMSA pages given"));
    CHECK_FALSE(kvm.finish.has_value());
}
