// The compressed Linux kernel (bzImage), booted through the 64-bit boot protocol
// (Documentation/arch/x86/boot.rst): the real-mode setup sectors are skipped, the
// protected-mode kernel after them is copied to its load address and entered at
// load + 0x200 (startup_64), where it decompresses itself in place.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "vmm/loader/kernel_loader.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::loader {

// True when the image carries the boot protocol magic "HdrS" at 0x202; says nothing about
// validity.
[[nodiscard]] bool looks_like_bzimage(std::span<const uint8_t> image);

// Needs protocol 2.12+ with XLF_KERNEL_64. Loads at the header's pref_address (see the
// .cpp for why) and refuses the image unless [load, load + max(init_size, payload size))
// lies inside guest RAM above 1 MiB.
[[nodiscard]] Result<LoadedKernel> load_bzimage(std::span<const uint8_t> image, GuestMemory& mem);

}  // namespace cw::vmm::loader
