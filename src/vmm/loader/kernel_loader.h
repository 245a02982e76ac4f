// Loads the guest kernel into guest RAM: an uncompressed ELF vmlinux or a bzImage, told
// apart by their magic numbers.
//
// The image is untrusted input (any file a user names): every offset and size in it is
// checked before use, a rejected image gets one error naming what was wrong, and guest
// memory is written only inside ranges that were validated first.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <optional>
#include <span>

#include "base/result.h"
#include "vmm/memory/guest_address.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::loader {

enum class KernelFormat { Elf, BzImage };

struct LoadedKernel {
    KernelFormat format;
    // The 64-bit entry point, guest-physical (startup_64 for both formats).
    GuestAddress entry;
    // The guest-physical range the kernel occupies, [start, end). For a bzImage this is the
    // whole in-place decompression area, [load, load + max(init_size, payload size)).
    GuestAddress start, end;
    // bzImage only: the kernel's setup header, to copy into boot_params.hdr. Bytes past the
    // header's own length (0x202 + the byte at 0x201) are zero.
    std::optional<setup_header> setup;
};

// Detects the format by magic and loads the kernel into guest memory.
[[nodiscard]] Result<LoadedKernel> load_kernel(std::span<const uint8_t> image, GuestMemory& mem);

}  // namespace cw::vmm::loader
