// The SNP launch image end to end through the VMM's own loader: the pieces the SNP code
// tests check one by one (CC blob, e820 reservation, C-bit page tables, plan, VMSA pages)
// as load_launch_image() and launch_vcpu_states() actually combine them.
#include "vmm/launch_image.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tee/snp/snp_vmsa.h"
#include "vmm/arch/x86_64/layout.h"
#include "vmm/loader/test_images.h"

using namespace cw;
using namespace cw::vmm;
using loader::test::kElfEntry;

namespace {

// The reference ELF kernel, in a file for VmConfig; removed with the object.
struct KernelFile {
    std::string path;
    KernelFile() {
        char name[] = "/tmp/cw-launch-image-test-XXXXXX";
        const int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = name;
        const auto elf = loader::test::valid_elf();
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(elf.data()),
                                                    static_cast<std::streamsize>(elf.size()));
    }
    ~KernelFile() { std::remove(path.c_str()); }
};

LaunchImage load(const KernelFile& kernel, TeeKind tee) {
    VmConfig config;
    config.kernel_path = kernel.path;
    config.vcpus = 2;
    config.mem_mib = 64;
    config.tee = tee;
    auto image = load_launch_image(config);
    REQUIRE_MESSAGE(image.ok(), image.error().to_string());
    return std::move(image).value();
}

uint64_t field(const tee::SnpVmsaBytes& page, size_t offset, size_t size = 8) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
        value |= uint64_t{page[offset + i]} << (8 * i);
    return value;
}

const tee::SnpLaunchRange* range_at(const std::vector<tee::SnpLaunchRange>& plan, uint64_t gpa) {
    for (const auto& r : plan)
        if (gpa >= r.gpa && gpa < r.gpa + r.pages * 0x1000)
            return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("an SNP launch image: CC blob linked from the zero page, firmware pages reserved, C-bit set") {
    KernelFile kernel;
    const LaunchImage image = load(kernel, TeeKind::Snp);

    const auto boot = image.memory.read_obj<boot_params>(x86::kZeroPageAddr).value();
    CHECK(boot.hdr.setup_data == x86::kSnpCcSetupDataAddr.value());
    bool reserved = false;
    for (unsigned i = 0; i < boot.e820_entries; ++i) {
        const auto& e = boot.e820_table[i];
        if (e.type == 2 && e.addr == x86::kSnpCcBlobAddr.value() && e.size == 0x3000)
            reserved = true;
        // No RAM entry overlaps the firmware pages.
        if (e.type == 1)
            CHECK((e.addr + e.size <= x86::kSnpCcBlobAddr.value() || e.addr >= x86::kSnpCpuidAddr.value() + 0x1000));
    }
    CHECK(reserved);

    const auto pml4e = image.memory.read_obj<uint64_t>(x86::kPml4Addr).value();
    CHECK((pml4e & (uint64_t{1} << 51)) != 0);
    CHECK((image.long_mode.cr3 & (uint64_t{1} << 51)) == 0);

    const auto plan = snp_launch_plan(image).value();
    REQUIRE(range_at(plan, 0x4000) != nullptr);
    CHECK(range_at(plan, 0x4000)->type == tee::SnpPageType::Normal);
    CHECK(range_at(plan, 0x5000)->type == tee::SnpPageType::Secrets);
    CHECK(range_at(plan, 0x6000)->type == tee::SnpPageType::Cpuid);
    CHECK(range_at(plan, kElfEntry)->type == tee::SnpPageType::Normal);
    CHECK(range_at(plan, 63 * loader::test::kMiB)->type == tee::SnpPageType::Zero);
}

TEST_CASE("an SNP launch image's VMSAs: the boot vCPU at the kernel entry, the AP at reset") {
    KernelFile kernel;
    const LaunchImage image = load(kernel, TeeKind::Snp);
    const auto vmsas = snp_vmsa_pages(image, 2);
    REQUIRE(vmsas.size() == 2);

    const auto& bsp = vmsas[0];
    CHECK(field(bsp, 0x178) == kElfEntry);                     // RIP
    CHECK(field(bsp, 0x330) == x86::kZeroPageAddr.value());   // RSI: boot_params
    CHECK(field(bsp, 0x150) == image.long_mode.cr3);          // CR3
    CHECK((field(bsp, 0xd0) & 0x1500) == 0x1500);             // EFER: SVME, LMA, LME
    CHECK(field(bsp, 0x70 + 2, 2) == 0x82);                   // LDTR: KVM's reset LDT
    CHECK(field(bsp, 0x70 + 4, 4) == 0xffff);
    CHECK(field(bsp, 0x80 + 8) == x86::kIdtAddr.value());      // IDTR base
    CHECK(field(bsp, 0x60 + 8) == x86::kGdtAddr.value());      // GDTR base
    CHECK(field(bsp, 0x3b0) == tee::snp::kSevFeatureSnpActive);

    const auto& ap = vmsas[1];
    CHECK(field(ap, 0x178) == 0xfff0);
    CHECK(field(ap, 0x10, 2) == 0xf000);  // CS selector
    CHECK(field(ap, 0x3b0) == tee::snp::kSevFeatureSnpActive);
}

TEST_CASE("measure_launch_image: the SNP digest is the plan's, and differs from sim's") {
    KernelFile kernel;
    const LaunchImage snp = load(kernel, TeeKind::Snp);
    const auto plan = snp_launch_plan(snp).value();
    const auto vmsas = snp_vmsa_pages(snp, 2);
    const auto expected = tee::measure_snp_launch_plan(snp.memory, plan, vmsas).value();
    CHECK(measure_launch_image(snp, 2).value().digest() == expected.digest());

    const LaunchImage sim = load(kernel, TeeKind::Sim);
    CHECK(sim.memory.read_obj<boot_params>(x86::kZeroPageAddr).value().hdr.setup_data == 0);
    CHECK((sim.memory.read_obj<uint64_t>(x86::kPml4Addr).value() & (uint64_t{1} << 51)) == 0);
    CHECK(measure_launch_image(sim, 2).value().digest() != expected.digest());
    CHECK(!snp_launch_plan(sim).ok());
}
