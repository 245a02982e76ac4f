// The uncompressed Linux kernel (vmlinux): an ELF64 x86_64 executable whose PT_LOAD
// segments are placed at their physical addresses (p_paddr) and entered at e_entry, which
// for x86_64 vmlinux is physical too (phys_startup_64).
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "vmm/loader/kernel_loader.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::loader {

// Upper bound on e_phnum. A vmlinux has a handful of program headers; the bound keeps the
// pairwise overlap check cheap on hostile input.
inline constexpr uint16_t kMaxElfProgramHeaders = 64;

// True when the image starts with the ELF magic (\x7fELF); says nothing about validity.
[[nodiscard]] bool looks_like_elf(std::span<const uint8_t> image);

// Validates every header and segment first, then copies the segments and zeroes their bss,
// so a rejected image leaves guest memory untouched.
[[nodiscard]] Result<LoadedKernel> load_elf(std::span<const uint8_t> image, GuestMemory& mem);

}  // namespace cw::vmm::loader
