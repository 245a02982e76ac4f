#include "tee/tdx/tdx_launch.h"

#include <doctest/doctest.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/hex.h"
#include "tee/launch/workload_cpio.h"
#include "tee/measurement/page_list.h"
#include "tee/measurement/page_list_json.h"
#include "tee/measurement/test_vectors.h"
#include "tee/tdx/fake_tdx_kvm.h"

using namespace cw::tee;
using namespace cw::tee::tdx;
using cw::tee::tdx::testing::FakeTdxKvm;
using cw::tee::test::contains;
using cw::tee::test::error_of;

namespace {

constexpr uint64_t kXfam = 0x7;       // x87, SSE, AVX: within typical_capabilities()
constexpr uint64_t kHobGpa = 0x809000;  // any value: it is passed through as RCX

// 4 KiB-aligned page buffers, as KVM_TDX_INIT_MEM_REGION requires of its source.
class Pages {
public:
    Pages(uint8_t seed, size_t count) : m_size(count * kTdxPageSize), m_data(allocate(m_size)) {
        for (size_t i = 0; i < m_size; ++i)
            m_data.get()[i] = static_cast<uint8_t>(seed + i * 7);
    }
    explicit Pages(const std::vector<uint8_t>& bytes) : m_size(bytes.size()), m_data(allocate(m_size)) {
        std::memcpy(m_data.get(), bytes.data(), bytes.size());
    }
    [[nodiscard]] std::span<const uint8_t> span() const { return {m_data.get(), m_size}; }
    [[nodiscard]] std::vector<uint8_t> page(size_t i) const {
        return {m_data.get() + i * kTdxPageSize, m_data.get() + (i + 1) * kTdxPageSize};
    }
    [[nodiscard]] size_t count() const { return m_size / kTdxPageSize; }

private:
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    static uint8_t* allocate(size_t size) {
        return static_cast<uint8_t*>(std::aligned_alloc(kTdxPageSize, size));
    }
    size_t m_size;
    std::unique_ptr<uint8_t, Free> m_data;
};

uapi::KvmCpuidEntry2 address_sizes(uint32_t guest_phys_bits) {
    return {uapi::kCpuidLeafAddressSizes, 0, 0, (guest_phys_bits << 16) | 0x3030, 0, 0, 0, {}};
}

TdxVmConfig vm_config(uint32_t vcpus = 1) {
    TdxVmConfig config;
    config.xfam = kXfam;
    config.vcpu_count = vcpus;
    config.cpuid = {address_sizes(48)};
    return config;
}

// Runs the launch up to VcpusInitialized.
void prepare(TdxLaunch& launch, uint32_t vcpus = 1) {
    REQUIRE(launch.read_capabilities().ok());
    REQUIRE(launch.init_vm(vm_config(vcpus)).ok());
    for (uint32_t i = 0; i < vcpus; ++i)
        REQUIRE(launch.init_vcpu(i, kHobGpa).ok());
    REQUIRE(launch.state() == TdxLaunchState::VcpusInitialized);
}

std::string mrtd_hex(const TdxLaunch& launch) {
    auto mrtd = launch.mrtd();
    REQUIRE_MESSAGE(mrtd.ok(), error_of(mrtd));
    return cw::to_hex_lower(mrtd.value());
}

std::string error_text(const cw::Result<void>& r) { return error_of(r); }

}  // namespace

TEST_CASE("a full launch issues the TDX commands in order and ends finalized") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    prepare(launch, 2);
    const Pages pages(1, 2);
    REQUIRE(launch.add_region(0x100000, pages.span(), TdxMeasure::Measured).ok());
    REQUIRE(launch.finalize().ok());
    CHECK(launch.state() == TdxLaunchState::Finalized);
    CHECK(kvm.calls ==
          std::vector<std::string>{"capabilities", "init_vm", "init_vcpu", "init_vcpu", "init_mem_region", "finalize"});
}

TEST_CASE("INIT_VM: SEPT_VE_DISABLE and nothing else, XFAM and CPUID as given, MROWNER zero") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    REQUIRE(launch.read_capabilities().ok());
    TdxVmConfig config = vm_config();
    config.cpuid.push_back({0x7, 0, uapi::kKvmCpuidFlagSignificantIndex, 1, 2, 3, 4, {}});
    REQUIRE(launch.init_vm(config).ok());
    REQUIRE(kvm.init.has_value());
    CHECK(kvm.init->attributes == 0x10000000);
    CHECK((kvm.init->attributes & kTdAttrDebug) == 0);
    CHECK(kvm.init->xfam == kXfam);
    CHECK(kvm.init->mrowner == uapi::TdxMr{});
    CHECK(kvm.init->mrownerconfig == uapi::TdxMr{});
    CHECK(kvm.init->reserved == std::array<uint64_t, 12>{});
    CHECK(kvm.init->cpuid.nent == 2);
    REQUIRE(kvm.init_cpuid.size() == 2);
    CHECK(kvm.init_cpuid[0].function == 0x80000008);
    CHECK(kvm.init_cpuid[0].eax == 0x303030);
    CHECK(kvm.init_cpuid[1].function == 0x7);
    CHECK(kvm.init_cpuid[1].flags == 1);
    CHECK(kvm.init_cpuid[1].edx == 4);
    CHECK(launch.state() == TdxLaunchState::VmInitialized);
}

TEST_CASE("MRCONFIGID is the SHA-256 of the workload configuration, zero-padded to 48 bytes") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    REQUIRE(launch.read_capabilities().ok());
    const std::string json = R"({"workload_id":"w1"})";
    const auto digest = workload_host_data(std::span(reinterpret_cast<const uint8_t*>(json.data()), json.size()));
    REQUIRE(digest.ok());
    TdxVmConfig config = vm_config();
    config.workload_config_sha256 = digest.value();
    REQUIRE(launch.init_vm(config).ok());
    // sha256sum of the 20 bytes {"workload_id":"w1"}, then 16 zero bytes.
    CHECK(cw::to_hex_lower(kvm.init->mrconfigid) ==
          cw::to_hex_lower(digest.value()) + std::string(32, '0'));
    CHECK(cw::to_hex_lower(tdx_mrconfigid(digest.value())) == cw::to_hex_lower(kvm.init->mrconfigid));
}

TEST_CASE("INIT_VCPU: each vCPU once, with the HOB address as RCX; memory waits for the last one") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    REQUIRE(launch.read_capabilities().ok());
    REQUIRE(launch.init_vm(vm_config(3)).ok());
    REQUIRE(launch.init_vcpu(2, kHobGpa).ok());
    REQUIRE(launch.init_vcpu(0, kHobGpa).ok());
    CHECK(launch.state() == TdxLaunchState::VmInitialized);
    REQUIRE(launch.init_vcpu(1, kHobGpa).ok());
    CHECK(launch.state() == TdxLaunchState::VcpusInitialized);
    REQUIRE(kvm.vcpu_inits.size() == 3);
    CHECK(kvm.vcpu_inits[0].vcpu == 2);
    CHECK(kvm.vcpu_inits[1].vcpu == 0);
    CHECK(kvm.vcpu_inits[2].vcpu == 1);
    for (const auto& init : kvm.vcpu_inits)
        CHECK(init.rcx == kHobGpa);

    SUBCASE("a fourth INIT_VCPU is refused") {
        auto r = launch.init_vcpu(0, kHobGpa);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_INIT_VCPU: not allowed in state 'vCPUs initialized' (needs 'VM initialized')");
    }
}

TEST_CASE("INIT_VCPU refuses a vCPU twice and one the TD does not have") {
    SUBCASE("twice") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        REQUIRE(launch.init_vm(vm_config(2)).ok());
        REQUIRE(launch.init_vcpu(1, kHobGpa).ok());
        auto r = launch.init_vcpu(1, kHobGpa);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_INIT_VCPU of vCPU 1: already initialized");
        CHECK(kvm.vcpu_inits.size() == 1);
        CHECK(launch.state() == TdxLaunchState::Failed);
    }
    SUBCASE("out of range") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        REQUIRE(launch.init_vm(vm_config(2)).ok());
        auto r = launch.init_vcpu(2, kHobGpa);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_INIT_VCPU of vCPU 2: the TD has 2 vCPUs");
        CHECK(kvm.vcpu_inits.empty());
    }
}

TEST_CASE("INIT_MEM_REGION passes GPAs, page counts, sources and the MEASURE flag exactly, in order") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    prepare(launch, 2);
    const Pages firmware(1, 3);
    const Pages hob(0, 1);
    const Pages kernel(9, 2);
    REQUIRE(launch.add_region(0x100000, firmware.span(), TdxMeasure::Measured).ok());
    REQUIRE(launch.add_region(0x809000, hob.span(), TdxMeasure::Unmeasured).ok());
    REQUIRE(launch.add_region(0x1000000, kernel.span(), TdxMeasure::Measured).ok());

    REQUIRE(kvm.regions.size() == 3);
    struct Expect { uint64_t gpa; uint64_t pages; uint32_t flags; const Pages* source; };
    const Expect expected[] = {{0x100000, 3, 1, &firmware}, {0x809000, 1, 0, &hob}, {0x1000000, 2, 1, &kernel}};
    for (size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(kvm.regions[i].region.gpa == expected[i].gpa);
        CHECK(kvm.regions[i].region.nr_pages == expected[i].pages);
        CHECK(kvm.regions[i].region.source_addr == std::bit_cast<uintptr_t>(expected[i].source->span().data()));
        CHECK(kvm.regions[i].flags == expected[i].flags);
        CHECK(kvm.regions[i].vcpu == 0);
    }
    CHECK(launch.state() == TdxLaunchState::AddingMemory);
}

TEST_CASE("the launch's MRTD reproduces vectors T2, T3 and T5") {
    SUBCASE("T2: one unmeasured page at 0x100000 is one PAGE.ADD") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        REQUIRE(launch.add_region(0x100000, Pages(test::zero_page()).span(), TdxMeasure::Unmeasured).ok());
        REQUIRE(launch.finalize().ok());
        CHECK(mrtd_hex(launch) == test::kT2);
    }
    SUBCASE("T3: p0 measured at 0x100000") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        REQUIRE(launch.add_region(0x100000, Pages(test::pattern_page()).span(), TdxMeasure::Measured).ok());
        CHECK(mrtd_hex(launch) == test::kT3);
    }
    SUBCASE("T5: p0 then zero, measured in one region: single pass, as KVM does it") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        std::vector<uint8_t> two = test::pattern_page();
        const auto zero = test::zero_page();
        two.insert(two.end(), zero.begin(), zero.end());
        REQUIRE(launch.add_region(0x100000, Pages(two).span(), TdxMeasure::Measured).ok());
        REQUIRE(launch.finalize().ok());
        CHECK(mrtd_hex(launch) == test::kT5);
    }
}

TEST_CASE("the launch's MRTD equals cw-measure tdx-pages' for the same page list") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    prepare(launch, 2);
    const Pages firmware(3, 2);
    const Pages hob(0, 1);
    const Pages kernel(42, 3);
    REQUIRE(launch.add_region(0xFFC000, firmware.span(), TdxMeasure::Measured).ok());
    REQUIRE(launch.add_region(0x1000000, hob.span(), TdxMeasure::Unmeasured).ok());
    REQUIRE(launch.add_region(0x2000000, kernel.span(), TdxMeasure::Measured).ok());
    REQUIRE(launch.finalize().ok());

    // The same build as the JSON list `cw-measure tdx-pages` reads: PAGE.ADD of every page,
    // and right after each measured page the EXTENDs of its 256-byte chunks.
    const std::string json = R"([
        {"op": "add", "gpa": "0xffc000"}, {"op": "extend", "gpa": "0xffc000", "file": "fw0"},
        {"op": "add", "gpa": "0xffd000"}, {"op": "extend", "gpa": "0xffd000", "file": "fw1"},
        {"op": "add", "gpa": "0x1000000"},
        {"op": "add", "gpa": "0x2000000"}, {"op": "extend", "gpa": "0x2000000", "file": "k0"},
        {"op": "add", "gpa": "0x2001000"}, {"op": "extend", "gpa": "0x2001000", "file": "k1"},
        {"op": "add", "gpa": "0x2002000"}, {"op": "extend", "gpa": "0x2002000", "file": "k2"}
    ])";
    const std::map<std::string, std::vector<uint8_t>> files = {
        {"/pages/fw0", firmware.page(0)}, {"/pages/fw1", firmware.page(1)}, {"/pages/k0", kernel.page(0)},
        {"/pages/k1", kernel.page(1)},    {"/pages/k2", kernel.page(2)},
    };
    const PageFileReader read = [&files](const std::string& path, uint64_t) -> cw::Result<std::vector<uint8_t>> {
        auto it = files.find(path);
        if (it == files.end())
            return cw::Error::msg("no file " + path);
        return it->second;
    };
    auto entries = parse_tdx_op_list(json);
    REQUIRE_MESSAGE(entries.ok(), error_of(entries));
    auto offline = TdxMrtd::create();
    REQUIRE(offline.ok());
    auto measured = measure_tdx_op_list(entries.value(), "/pages", read, offline.value());
    REQUIRE_MESSAGE(measured.ok(), error_of(measured));
    auto expected = offline.value().value();
    REQUIRE(expected.ok());
    CHECK(mrtd_hex(launch) == cw::to_hex_lower(expected.value()));
}

TEST_CASE("steps out of order are refused, naming the step and the state") {
    SUBCASE("INIT_VM before the capabilities") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        auto r = launch.init_vm(vm_config());
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_INIT_VM: not allowed in state 'created' (needs 'capabilities read')");
        CHECK(kvm.calls.empty());
    }
    SUBCASE("capabilities twice") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        auto r = launch.read_capabilities();
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_TDX_CAPABILITIES: not allowed in state 'capabilities read'"));
    }
    SUBCASE("INIT_VCPU before INIT_VM") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        auto r = launch.init_vcpu(0, kHobGpa);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_INIT_VCPU: not allowed in state 'capabilities read' (needs 'VM initialized')");
    }
    SUBCASE("a region before every vCPU is initialized") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        REQUIRE(launch.init_vm(vm_config(2)).ok());
        REQUIRE(launch.init_vcpu(0, kHobGpa).ok());
        auto r = launch.add_region(0x100000, Pages(0, 1).span(), TdxMeasure::Measured);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) ==
              "KVM_TDX_INIT_MEM_REGION: not allowed in state 'VM initialized' (needs 'vCPUs initialized' or "
              "'adding memory')");
        CHECK(kvm.regions.empty());
    }
    SUBCASE("finalize without any memory") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        auto r = launch.finalize();
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) == "KVM_TDX_FINALIZE_VM: not allowed in state 'vCPUs initialized' (needs 'adding memory')");
    }
    SUBCASE("finalize twice, and a region after finalize") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        REQUIRE(launch.add_region(0x100000, Pages(0, 1).span(), TdxMeasure::Measured).ok());
        REQUIRE(launch.finalize().ok());
        auto again = launch.finalize();
        REQUIRE_FALSE(again.ok());
        CHECK(contains(error_text(again), "KVM_TDX_FINALIZE_VM: not allowed in state 'finalized'"));
        auto region = launch.add_region(0x200000, Pages(0, 1).span(), TdxMeasure::Measured);
        REQUIRE_FALSE(region.ok());
        CHECK(contains(error_text(region), "KVM_TDX_FINALIZE_VM: not allowed in state 'finalized'"));
        CHECK(contains(error_text(region), "KVM_TDX_INIT_MEM_REGION: the TDX launch already failed"));
        CHECK(kvm.calls.back() == "finalize");
        CHECK(kvm.regions.size() == 1);
    }
}

TEST_CASE("capability failures end the launch in one line") {
    SUBCASE("a host without SEPT_VE_DISABLE") {
        FakeTdxKvm kvm;
        TdxCapabilities caps = testing::typical_capabilities();
        caps.fixed.supported_attrs = 0;
        kvm.caps = caps;
        TdxLaunch launch(kvm);
        auto r = launch.read_capabilities();
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) ==
              "TDX: KVM does not offer the SEPT_VE_DISABLE TD attribute (KVM_TDX_CAPABILITIES supported_attrs 0x0): "
              "this host cannot run our TDs");
        CHECK(launch.state() == TdxLaunchState::Failed);
        CHECK_FALSE(launch.capabilities().has_value());
        auto next = launch.init_vm(vm_config());
        REQUIRE_FALSE(next.ok());
        CHECK(contains(error_text(next), "KVM_TDX_INIT_VM: the TDX launch already failed (TDX: KVM does not offer"));
    }
    SUBCASE("KVM_TDX_CAPABILITIES itself fails") {
        FakeTdxKvm kvm;
        kvm.fail_on = "capabilities";
        TdxLaunch launch(kvm);
        auto r = launch.read_capabilities();
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_TDX_CAPABILITIES: fake capabilities"));
        CHECK(error_text(r).find('\n') == std::string::npos);
    }
    SUBCASE("an XFAM the host does not offer never reaches KVM") {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        TdxVmConfig config = vm_config();
        config.xfam = 0x60207;  // AMX tiles (17, 18) and PKRU (9): not in supported_xfam 0xe7
        auto r = launch.init_vm(config);
        REQUIRE_FALSE(r.ok());
        CHECK(error_text(r) ==
              "KVM_TDX_INIT_VM: XFAM 0x60207 asks for 0x60200, which the host does not offer (supported_xfam 0xe7)");
        CHECK_FALSE(kvm.init.has_value());
    }
}

TEST_CASE("INIT_VM configurations KVM would refuse are refused first") {
    auto refused = [](TdxVmConfig config, const char* why) {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        auto r = launch.init_vm(config);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(contains(error_text(r), why), error_text(r));
        CHECK_FALSE(kvm.init.has_value());
        CHECK(launch.state() == TdxLaunchState::Failed);
    };
    TdxVmConfig no_leaf = vm_config();
    no_leaf.cpuid.clear();
    refused(no_leaf, "CPUID 0x80000008 must give the guest physical address width, 48 or 52, in EAX[23:16] (got 0)");
    TdxVmConfig narrow = vm_config();
    narrow.cpuid = {address_sizes(39)};
    refused(narrow, "(got 39)");
    TdxVmConfig no_vcpus = vm_config(0);
    refused(no_vcpus, "a TD needs at least one vCPU");
    TdxVmConfig too_many = vm_config();
    too_many.cpuid.resize(257, address_sizes(48));
    refused(too_many, "257 CPUID entries, at most 256");
}

TEST_CASE("after a failure the launch is dead: every later call fails, naming the first failure") {
    SUBCASE("a KVM error at INIT_MEM_REGION, then finalize never reaches KVM") {
        FakeTdxKvm kvm;
        kvm.fail_on = "init_mem_region";
        TdxLaunch launch(kvm);
        prepare(launch);
        auto first = launch.add_region(0x100000, Pages(0, 1).span(), TdxMeasure::Measured);
        REQUIRE_FALSE(first.ok());
        CHECK(contains(error_text(first), "KVM_TDX_INIT_MEM_REGION at GPA 0x100000: fake init_mem_region"));
        auto r = launch.finalize();
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_TDX_FINALIZE_VM: the TDX launch already failed (KVM_TDX_INIT_MEM_REGION"));
        CHECK(kvm.calls.back() == "init_mem_region");
    }
    SUBCASE("a KVM error at INIT_VM") {
        FakeTdxKvm kvm;
        kvm.fail_on = "init_vm";
        TdxLaunch launch(kvm);
        REQUIRE(launch.read_capabilities().ok());
        auto r = launch.init_vm(vm_config());
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_TDX_INIT_VM: fake init_vm"));
        CHECK_FALSE(launch.mrtd().ok());
        CHECK_FALSE(launch.init_vcpu(0, kHobGpa).ok());
        CHECK(kvm.vcpu_inits.empty());
    }
    SUBCASE("a KVM error at FINALIZE_VM") {
        FakeTdxKvm kvm;
        kvm.fail_on = "finalize";
        TdxLaunch launch(kvm);
        prepare(launch);
        REQUIRE(launch.add_region(0x100000, Pages(0, 1).span(), TdxMeasure::Measured).ok());
        auto r = launch.finalize();
        REQUIRE_FALSE(r.ok());
        CHECK(contains(error_text(r), "KVM_TDX_FINALIZE_VM: fake finalize"));
        CHECK(launch.state() == TdxLaunchState::Failed);
    }
}

TEST_CASE("malformed regions are refused before reaching KVM") {
    const Pages one(0, 1);
    const Pages two(0, 2);
    auto refused = [](uint64_t gpa, std::span<const uint8_t> source, const char* why) {
        FakeTdxKvm kvm;
        TdxLaunch launch(kvm);
        prepare(launch);
        auto r = launch.add_region(gpa, source, TdxMeasure::Measured);
        REQUIRE_FALSE(r.ok());
        CHECK_MESSAGE(contains(error_text(r), why), error_text(r));
        CHECK(kvm.regions.empty());
        CHECK(launch.state() == TdxLaunchState::Failed);
    };
    refused(0x1800, one.span(), "KVM_TDX_INIT_MEM_REGION at GPA 0x1800: not 4 KiB aligned");
    refused(0x1000, {}, "0 bytes of source");
    refused(0x1000, one.span().first(100), "100 bytes of source");
    refused(0x1000, two.span().subspan(16, kTdxPageSize), "the source buffer is not 4 KiB aligned");
    // GPAW 48: the shared bit is bit 47.
    refused(0x7FFFFFFFF000, two.span(), "reach the shared bit (0x800000000000)");
    refused(0x800000000000, one.span(), "reach the shared bit");
    refused(0xFFFFFFFFFFFFF000, two.span(), "reach the shared bit");
}

TEST_CASE("an overlapping region is refused; an adjacent one is accepted") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    prepare(launch);
    const Pages two(0, 2);
    const Pages one(0, 1);
    REQUIRE(launch.add_region(0x1000, two.span(), TdxMeasure::Measured).ok());
    REQUIRE(launch.add_region(0x3000, one.span(), TdxMeasure::Unmeasured).ok());
    auto r = launch.add_region(0x3000, one.span(), TdxMeasure::Measured);
    REQUIRE_FALSE(r.ok());
    CHECK(contains(error_text(r), "below the end of the previous region (0x4000)"));
}

TEST_CASE("the last private page below the shared bit is accepted") {
    FakeTdxKvm kvm;
    TdxLaunch launch(kvm);
    prepare(launch);
    CHECK(launch.add_region(0x7FFFFFFFF000, Pages(0, 1).span(), TdxMeasure::Unmeasured).ok());
}
