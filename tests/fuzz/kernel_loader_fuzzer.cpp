// libFuzzer target for the guest kernel loader: the kernel image is whatever file the user
// names, so any byte string must be either loaded or refused with an error, never read
// out of bounds or written outside validated guest memory.
//
// Guest RAM is 64 MiB at address 0, created once (mapping it per input would dominate the
// run time). That holds a vmlinux-like ELF at 16 MiB and a bzImage at its usual
// pref_address (16 MiB) with a modest init_size; images asking for more are refused,
// which is also a path worth fuzzing.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vmm/loader/kernel_loader.h"
#include "vmm/memory/guest_memory.h"

namespace {

constexpr uint64_t kGuestRamSize = 64 << 20;

cw::vmm::GuestMemory& guest_ram() {
    static cw::vmm::GuestMemory mem = [] {
        std::array specs{cw::vmm::RegionSpec{cw::vmm::GuestAddress(0), kGuestRamSize}};
        auto created = cw::vmm::GuestMemory::create_anonymous(specs);
        if (!created.ok())
            std::abort();
        return std::move(created).value();
    }();
    return mem;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    (void)cw::vmm::loader::load_kernel(std::span<const uint8_t>(data, size), guest_ram());
    return 0;
}
