#include "vmm/arch/x86_64/boot_params.h"

#include <algorithm>
#include <span>
#include <string>

#include "base/hex.h"
#include "vmm/arch/x86_64/layout.h"

namespace cw::vmm::x86 {

namespace {

static_assert(sizeof(boot_params) == 4096, "the zero page is one page");
static_assert(offsetof(boot_params, hdr) == 0x1f1);
static_assert(offsetof(boot_params, e820_entries) == 0x1e8);
static_assert(offsetof(boot_params, e820_table) == 0x2d0);
static_assert(offsetof(boot_params, ext_ramdisk_image) == 0x0c0);
static_assert(offsetof(boot_params, ext_cmd_line_ptr) == 0x0c8);
static_assert(sizeof(boot_e820_entry) == 20);

// boot.rst, "Details of Header Fields".
constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint32_t kHdrSMagic = 0x53726448;  // "HdrS"
// 2.12 is the first protocol with xloadflags and the ext_* high halves used below.
constexpr uint16_t kProtocolVersion = 0x020c;
// The kernel's default physical alignment (CONFIG_PHYSICAL_ALIGN) on x86_64.
constexpr uint32_t kKernelAlignment = 0x1000000;

constexpr uint32_t low32(uint64_t v) { return static_cast<uint32_t>(v); }
constexpr uint32_t high32(uint64_t v) { return static_cast<uint32_t>(v >> 32); }

// An ELF vmlinux carries no setup header: fill in the fields the kernel itself reads.
setup_header vmlinux_header() {
    setup_header hdr{};
    hdr.boot_flag = kBootFlag;
    hdr.header = kHdrSMagic;
    hdr.version = kProtocolVersion;
    hdr.kernel_alignment = kKernelAlignment;
    // The limit write_cmdline enforced; the field's meaning in boot.rst.
    hdr.cmdline_size = kDefaultCmdlineSize;
    return hdr;
}

Result<setup_header> kernel_header(const setup_header& hdr) {
    if (hdr.header != kHdrSMagic)
        return Error::msg("boot params: kernel setup header magic " + hex(hdr.header) + " is not HdrS");
    if (hdr.boot_flag != kBootFlag)
        return Error::msg("boot params: kernel setup header boot_flag " + hex(hdr.boot_flag) + " is not 0xaa55");
    return hdr;
}

}  // namespace

Result<void> write_boot_params(GuestMemory& memory, const BootParamsConfig& config) {
    if (config.e820.empty())
        return Error::msg("boot params: the e820 map is empty");
    if (config.e820.size() > E820_MAX_ENTRIES_ZEROPAGE)
        return Error::msg("boot params: the e820 map has " + std::to_string(config.e820.size()) +
                          " entries; the zero page holds at most " + std::to_string(E820_MAX_ENTRIES_ZEROPAGE));

    // boot.rst: start from a zeroed boot_params (so sentinel is 0 and the kernel trusts the
    // ext_* fields), copy the kernel's setup header into it, then fill in the loader fields.
    boot_params params{};
    if (config.kernel_setup)
        params.hdr = CW_TRY(kernel_header(*config.kernel_setup));
    else
        params.hdr = vmlinux_header();
    // loadflags stay as the kernel set them: LOADED_HIGH and KASLR_FLAG are the kernel's,
    // CAN_USE_HEAP and KEEP_SEGMENTS only concern the real-mode and 32-bit entries, which a
    // 64-bit boot skips.
    params.hdr.type_of_loader = kLoaderTypeUndefined;
    if (config.cmdline_size > params.hdr.cmdline_size)
        return Error::msg("boot params: the command line is " + std::to_string(config.cmdline_size) +
                          " bytes; the kernel accepts at most " + std::to_string(params.hdr.cmdline_size));

    uint64_t cmdline = config.cmdline.value();
    params.hdr.cmd_line_ptr = low32(cmdline);
    params.ext_cmd_line_ptr = high32(cmdline);
    if (config.initrd) {
        uint64_t initrd = config.initrd->value();
        params.hdr.ramdisk_image = low32(initrd);
        params.ext_ramdisk_image = high32(initrd);
        params.hdr.ramdisk_size = config.initrd_size;
    }

    params.hdr.setup_data = config.setup_data;
    params.e820_entries = static_cast<uint8_t>(config.e820.size());
    for (size_t i = 0; i < config.e820.size(); ++i) {
        const auto& e = config.e820[i];
        params.e820_table[i] = boot_e820_entry{e.addr, e.size, e.type};
    }
    return memory.write_obj(kZeroPageAddr, params).context("boot params: writing the zero page");
}

Result<void> write_cmdline(GuestMemory& memory, std::string_view cmdline, uint32_t max_size) {
    uint64_t limit = max_size == 0 ? kDefaultCmdlineSize : max_size;
    limit = std::min<uint64_t>(limit, kCmdlineMaxSize - 1);
    if (cmdline.size() > limit)
        return Error::msg("kernel command line is " + std::to_string(cmdline.size()) + " bytes; the limit is " +
                          std::to_string(limit));
    if (auto nul = cmdline.find('\0'); nul != std::string_view::npos)
        return Error::msg("kernel command line has a NUL byte at offset " + std::to_string(nul));

    std::string terminated(cmdline);
    terminated.push_back('\0');
    return memory.write(kCmdlineAddr, std::as_bytes(std::span(terminated.data(), terminated.size())))
        .context("writing the kernel command line");
}

Result<GuestAddress> place_initrd(const GuestMemory& memory, uint64_t initrd_size, uint64_t kernel_end,
                                  uint32_t initrd_addr_max) {
    const auto& regions = memory.regions();
    auto low = std::find_if(regions.begin(), regions.end(), [](const auto& r) { return r.start.value() == 0; });
    if (low == regions.end())
        return Error::msg("initrd: no RAM region at guest address 0");

    uint64_t ceiling = std::min(low->size, uint64_t{initrd_addr_max} + 1);
    uint64_t floor = std::max(kernel_end, kHighMemStart.value());
    auto no_room = [&] {
        return Error::msg("initrd of " + std::to_string(initrd_size) + " bytes does not fit between the kernel end " +
                          hex(floor) + " and " + hex(ceiling) + " (the lower of low RAM end and initrd_addr_max + 1)");
    };
    if (initrd_size > ceiling)
        return no_room();
    uint64_t addr = (ceiling - initrd_size) & ~(kPageSize - 1);
    if (addr < floor)
        return no_room();
    return GuestAddress(addr);
}

}  // namespace cw::vmm::x86
