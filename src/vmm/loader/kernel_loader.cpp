#include "vmm/loader/kernel_loader.h"

#include "vmm/loader/bzimage_loader.h"
#include "vmm/loader/elf_loader.h"

namespace cw::vmm::loader {

Result<LoadedKernel> load_kernel(std::span<const uint8_t> image, GuestMemory& mem) {
    if (looks_like_elf(image))
        return load_elf(image, mem);
    if (looks_like_bzimage(image))
        return load_bzimage(image, mem);
    return Error::msg("kernel: not an ELF or bzImage (bad magic)");
}

}  // namespace cw::vmm::loader
