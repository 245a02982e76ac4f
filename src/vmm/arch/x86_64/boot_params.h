// The zero page (struct boot_params) and what it points at: the command line and the
// initrd. Linux x86 boot protocol, Documentation/arch/x86/boot.rst ("The Zero Page",
// "64-bit BOOT PROTOCOL", "Details of Header Fields"); the layout is the uapi's
// <asm/bootparam.h>, not redeclared here.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "vmm/arch/x86_64/memory_map.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::x86 {

// boot.rst: the command line limit when the kernel states none (no setup header, as for an
// ELF vmlinux): COMMAND_LINE_SIZE is 2048 bytes including the NUL, and header.S reports
// cmdline_size as COMMAND_LINE_SIZE - 1.
inline constexpr uint32_t kDefaultCmdlineSize = 2047;
// type_of_loader 0xff: "undefined" boot loader (boot.rst, "type_of_loader").
inline constexpr uint8_t kLoaderTypeUndefined = 0xff;

struct BootParamsConfig {
    // The bzImage's setup header, as the loader read it; absent for an ELF vmlinux.
    std::optional<setup_header> kernel_setup;
    GuestAddress cmdline;
    uint32_t cmdline_size = 0;  // without the NUL
    std::optional<GuestAddress> initrd;
    uint32_t initrd_size = 0;
    std::vector<E820Entry> e820;
    // GPA of the first setup_data element (hdr.setup_data, a linked list the kernel walks
    // early); 0: none. An SEV-SNP launch links its SETUP_CC_BLOB element here.
    uint64_t setup_data = 0;
};

// Builds boot_params from config and writes it at kZeroPageAddr. Fails when the e820 map is
// empty or has more than E820_MAX_ENTRIES_ZEROPAGE entries, a setup header lacks its magic,
// or cmdline_size exceeds the kernel's cmdline_size (kDefaultCmdlineSize for a vmlinux).
[[nodiscard]] Result<void> write_boot_params(GuestMemory& memory, const BootParamsConfig& config);

// Writes cmdline NUL-terminated at kCmdlineAddr. max_size is the kernel's cmdline_size
// (without the NUL); 0 means the kernel gave none and kDefaultCmdlineSize applies. The limit
// never exceeds the kCmdlineMaxSize bytes reserved at kCmdlineAddr.
[[nodiscard]] Result<void> write_cmdline(GuestMemory& memory, std::string_view cmdline, uint32_t max_size);

// Where to load an initrd of initrd_size bytes: the highest page-aligned address in low RAM
// (the region at 0) such that it ends at or below min(low RAM end, initrd_addr_max + 1) and
// starts at or above kernel_end (the kernel's own range ends there, boot structures lie
// below it).
[[nodiscard]] Result<GuestAddress> place_initrd(const GuestMemory& memory, uint64_t initrd_size, uint64_t kernel_end,
                                                uint32_t initrd_addr_max);

}  // namespace cw::vmm::x86
