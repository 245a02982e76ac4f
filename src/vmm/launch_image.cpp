#include "vmm/launch_image.h"

#include <sys/sysinfo.h>

#include "base/mapped_file.h"
#include "tee/launch/sim_launch.h"
#include "tee/snp/snp_boot_data.h"
#include "tee/snp/snp_launch.h"
#include "tee/snp/snp_vmsa.h"
#include "vmm/arch/x86_64/boot_params.h"
#include "vmm/arch/x86_64/boot_regs.h"
#include "vmm/arch/x86_64/layout.h"
#include "vmm/arch/x86_64/memory_map.h"
#include "vmm/arch/x86_64/mptable.h"
#include "vmm/loader/kernel_loader.h"
#include "vmm/virtio_mmio_cmdline.h"

namespace cw::vmm {

namespace {

constexpr uint64_t kMaxKernelSize = 512 * x86::kMiB;
constexpr uint64_t kMaxInitrdSize = 2 * x86::kGiB;
// The identity page tables: PML4, PDPT and four PDs (layout.h).
constexpr uint64_t kPageTablesEnd = x86::kPdAddr.value() + 4 * x86::kPageSize;

Result<void> validate(const VmConfig& config) {
    if (config.vcpus == 0 || config.vcpus > kMaxVcpus)
        return Error::msg("--cpus " + std::to_string(config.vcpus) + ": must be between 1 and " +
                          std::to_string(kMaxVcpus));
    if (config.mem_mib < kMinMemMib)
        return Error::msg("--mem " + std::to_string(config.mem_mib) + " MiB: must be at least " +
                          std::to_string(kMinMemMib) + " MiB");
    if (config.kernel_path.empty())
        return Error::msg("no kernel given");
    return {};
}

// The initramfs as the guest gets it: the user's file, zeros to a 4-byte boundary (the
// kernel skips zeros between archives, and a newc archive must start 4-byte aligned), then
// the workload archive. Written straight into guest memory, never copied whole.
struct InitrdParts {
    std::optional<MappedFile> file;
    std::vector<uint8_t> workload_cpio;
    [[nodiscard]] uint64_t file_size() const { return file ? file->bytes().size() : 0; }
    [[nodiscard]] uint64_t cpio_offset() const { return workload_cpio.empty() ? file_size() : (file_size() + 3) / 4 * 4; }
    [[nodiscard]] uint64_t total() const { return cpio_offset() + workload_cpio.size(); }
};

Result<void> load_initrd(LaunchImage& image, const InitrdParts& parts, const loader::LoadedKernel& kernel,
                         x86::BootParamsConfig& boot) {
    if (parts.total() == 0)
        return {};
    if (parts.total() > kMaxInitrdSize)
        return Error::msg("initrd: larger than " + std::to_string(kMaxInitrdSize / x86::kMiB) + " MiB");
    uint32_t addr_max = kernel.setup ? kernel.setup->initrd_addr_max : 0x7fffffff;
    auto at = CW_TRY(x86::place_initrd(image.memory, parts.total(), kernel.end.value(), addr_max));
    if (parts.file)
        CW_TRY(image.memory.write(at, std::as_bytes(parts.file->bytes())));
    if (!parts.workload_cpio.empty()) {
        CW_TRY(image.memory.fill(at.unchecked_add(parts.file_size()), parts.cpio_offset() - parts.file_size(), 0));
        CW_TRY(image.memory.write(at.unchecked_add(parts.cpio_offset()), std::as_bytes(std::span(parts.workload_cpio))));
    }
    CW_TRY(image.pages.add(image.memory, at, parts.total()).context("initrd"));
    boot.initrd = at;
    boot.initrd_size = static_cast<uint32_t>(parts.total());
    return {};
}

// SEV-SNP: the CC blob (naming the secrets and CPUID pages) with the SETUP_CC_BLOB element
// that points the kernel at it, linked from the zero page; the three pages reserved in e820.
// The blob is measured (NORMAL); the secrets and CPUID pages are filled by the firmware and
// the VMM at launch (tee/launch/snp_launch_plan.h).
Result<void> place_snp_boot_data(LaunchImage& image, x86::BootParamsConfig& boot) {
    const auto blob = tee::snp::cc_blob(x86::kSnpSecretsAddr.value(), x86::kSnpCpuidAddr.value());
    const auto setup = CW_TRY(tee::snp::cc_blob_setup_data(x86::kSnpCcBlobAddr.value()));
    CW_TRY(image.memory.write_obj(x86::kSnpCcBlobAddr, blob).context("SNP CC blob"));
    CW_TRY(image.memory.write_obj(x86::kSnpCcSetupDataAddr, setup).context("SNP CC blob setup_data"));
    CW_TRY(image.pages.add(image.memory, x86::kSnpCcBlobAddr, x86::kSnpCcSetupDataAddr.value() + sizeof setup -
                                                                   x86::kSnpCcBlobAddr.value())
               .context("SNP CC blob"));
    boot.setup_data = x86::kSnpCcSetupDataAddr.value();
    static_assert(x86::kSnpSecretsAddr.value() == x86::kSnpCcBlobAddr.value() + x86::kPageSize &&
                  x86::kSnpCpuidAddr.value() == x86::kSnpSecretsAddr.value() + x86::kPageSize);
    return x86::reserve_e820(boot.e820, x86::kSnpCcBlobAddr.value(), 3 * x86::kPageSize);
}

// Kernel, initrd, command line and zero page; each range recorded in image.pages.
Result<void> load_guest(LaunchImage& image, const VmConfig& config) {
    auto kernel_file = CW_TRY(MappedFile::open(config.kernel_path, kMaxKernelSize).context("kernel"));
    auto kernel = CW_TRY(loader::load_kernel(kernel_file.bytes(), image.memory));
    CW_TRY(image.pages.add(image.memory, kernel.start, kernel.end.value() - kernel.start.value()).context("kernel"));
    image.entry = kernel.entry;

    uint32_t cmdline_max = kernel.setup ? kernel.setup->cmdline_size : 0;
    image.cmdline = full_cmdline(config);
    CW_TRY(x86::write_cmdline(image.memory, image.cmdline, cmdline_max));
    CW_TRY(image.pages.add(image.memory, x86::kCmdlineAddr, image.cmdline.size() + 1).context("command line"));

    x86::BootParamsConfig boot{};
    boot.kernel_setup = kernel.setup;
    boot.cmdline = x86::kCmdlineAddr;
    boot.cmdline_size = static_cast<uint32_t>(image.cmdline.size());
    boot.e820 = x86::e820_map(image.memory);
    InitrdParts initrd;
    if (!config.initrd_path.empty())
        initrd.file.emplace(CW_TRY(MappedFile::open(config.initrd_path, kMaxInitrdSize).context("initrd")));
    if (!config.workload_config_path.empty()) {
        auto workload = CW_TRY(tee::read_workload_config(config.workload_config_path));
        image.workload_host_data = CW_TRY(tee::workload_host_data(workload));
        initrd.workload_cpio = tee::workload_config_cpio(workload);
    }
    CW_TRY(load_initrd(image, initrd, kernel, boot));
    if (config.tee == TeeKind::Snp)
        CW_TRY(place_snp_boot_data(image, boot));
    CW_TRY(x86::write_boot_params(image.memory, boot));
    CW_TRY(image.pages.add(image.memory, x86::kZeroPageAddr, sizeof(boot_params)).context("zero page"));
    return {};
}

uint16_t svm_attrib(const x86::Segment& s) {
    return static_cast<uint16_t>((s.type & 0xfu) | (s.s & 1u) << 4 | (s.dpl & 3u) << 5 | (s.present & 1u) << 7 |
                                 (s.avl & 1u) << 8 | (s.l & 1u) << 9 | (s.db & 1u) << 10 | (s.g & 1u) << 11);
}

tee::VcpuSegment launch_segment(const x86::Segment& s) { return {s.base, s.limit, s.selector, svm_attrib(s)}; }

}  // namespace

size_t virtio_device_count(const VmConfig& config) {
    size_t count = config.disks.size();
    count += config.console == ConsoleKind::Virtio ? 1u : 0u;
    // A confidential guest always gets vsock: it attests (and, with sim, fetches its report)
    // through it.
    count += config.vsock || config.tee != TeeKind::None || config.forward_signals ? 1u : 0u;
    count += config.rng ? 1u : 0u;
    return count;
}

// Base, device announcements, then the user's words: the user's come last so that they
// can override (and "--" followed by init's arguments must stay at the end).
std::string full_cmdline(const VmConfig& config) {
    std::string cmdline = kBaseCmdline;
    cmdline += config.console == ConsoleKind::Virtio ? " console=hvc0" : " console=ttyS0";
    if (size_t devices = virtio_device_count(config); devices > 0)
        cmdline += " " + virtio_mmio_cmdline(devices);
    if (!config.extra_cmdline.empty())
        cmdline += " " + config.extra_cmdline;
    return cmdline;
}

Result<LaunchImage> load_launch_image(const VmConfig& config) {
    CW_TRY(validate(config));
    auto regions = CW_TRY(x86::ram_regions(uint64_t{config.mem_mib} * x86::kMiB));
    LaunchImage image{CW_TRY(GuestMemory::create_anonymous(regions)), {}, {}, {}, {}, {}, config.tee};
    CW_TRY(load_guest(image, config));
    CW_TRY(x86::write_mptable(image.memory, config.vcpus));
    CW_TRY(image.pages.add(image.memory, x86::kMpTableAddr, x86::mptable_size(config.vcpus)).context("MP table"));
    image.long_mode = CW_TRY(
        x86::setup_long_mode(image.memory, config.tee == TeeKind::Snp ? tee::snp::kSnpEncryptionMask : 0));
    const auto& lm = image.long_mode;
    CW_TRY(image.pages.add(image.memory, GuestAddress(lm.gdt_base), uint64_t{lm.gdt_limit} + 1).context("GDT"));
    CW_TRY(image.pages.add(image.memory, GuestAddress(lm.idt_base), uint64_t{lm.idt_limit} + 1).context("IDT"));
    CW_TRY(image.pages.add(image.memory, x86::kPml4Addr, kPageTablesEnd - x86::kPml4Addr.value()).context("page tables"));
    return image;
}

std::vector<tee::VcpuLaunchState> launch_vcpu_states(const LaunchImage& image, uint32_t count) {
    std::vector<tee::VcpuLaunchState> states(count, tee::reset_vcpu_state());
    if (count == 0)
        return states;
    const auto& lm = image.long_mode;
    const auto regs = x86::boot_registers(image.entry);
    tee::VcpuLaunchState& bsp = states[0];
    bsp = tee::VcpuLaunchState{};
    bsp.rip = regs.rip;
    bsp.rsp = regs.rsp;
    bsp.rbp = regs.rbp;
    bsp.rsi = regs.rsi;
    bsp.rflags = regs.rflags;
    bsp.cr0 = lm.cr0;
    bsp.cr3 = lm.cr3;
    bsp.cr4 = lm.cr4;
    bsp.efer = lm.efer;
    bsp.cs = launch_segment(lm.cs);
    bsp.ds = launch_segment(lm.ds);
    bsp.es = launch_segment(lm.es);
    bsp.fs = launch_segment(lm.fs);
    bsp.gs = launch_segment(lm.gs);
    bsp.ss = launch_segment(lm.ss);
    bsp.tr = launch_segment(lm.tr);
    bsp.gdtr = {lm.gdt_base, lm.gdt_limit, 0, 0};
    bsp.idtr = {lm.idt_base, lm.idt_limit, 0, 0};
    // The VMM never loads an LDT, so KVM keeps its reset LDTR (present LDT, limit
    // 0xffff); an SNP VMSA built from this state must say the same.
    bsp.ldtr = tee::reset_vcpu_state().ldtr;
    return states;
}

Result<std::vector<tee::SnpLaunchRange>> snp_launch_plan(const LaunchImage& image) {
    if (image.tee != TeeKind::Snp)
        return Error::msg("internal error: an SNP launch plan for an image not built for SNP");
    return tee::snp_launch_plan(image.memory, image.pages, {x86::kSnpSecretsAddr.value(), x86::kSnpCpuidAddr.value()});
}

std::vector<tee::SnpVmsaBytes> snp_vmsa_pages(const LaunchImage& image, uint32_t vcpus) {
    std::vector<tee::SnpVmsaBytes> pages;
    for (const auto& state : launch_vcpu_states(image, vcpus))
        pages.push_back(tee::snp::snp_vmsa_page(state, tee::snp::kSnpVmsaFeatures));
    return pages;
}

Result<tee::SnpLaunchDigest> measure_launch_image(const LaunchImage& image, uint32_t vcpus, bool trace) {
    if (image.tee == TeeKind::Snp) {
        const auto plan = CW_TRY(snp_launch_plan(image));
        return tee::measure_snp_launch_plan(image.memory, plan, snp_vmsa_pages(image, vcpus), trace);
    }
    auto states = launch_vcpu_states(image, vcpus);
    return tee::measure_sim_launch(image.memory, image.pages, states, trace);
}

}  // namespace cw::vmm
