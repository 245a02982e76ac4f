#include "vmm/loader/bzimage_loader.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <string>

#include "vmm/arch/x86_64/layout.h"
#include "vmm/loader/image_bytes.h"

namespace cw::vmm::loader {

namespace {

// Image offsets from boot.rst, "The Real-Mode Kernel Header". The setup header starts at
// 0x1f1 and is copied verbatim into boot_params.hdr; it ends at 0x202 + the byte at 0x201
// (the displacement of the short jump at 0x200), which may be shorter than our struct.
constexpr uint64_t kSetupHeaderOffset = 0x1f1;
constexpr uint64_t kHeaderLengthOffset = 0x201;
constexpr uint64_t kHeaderLengthBase = 0x202;
// The boot sector plus the first setup sector: always enough to hold the whole header.
constexpr uint64_t kMinImageSize = 1024;
constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint32_t kHdrSMagic = 0x53726448;  // "HdrS"
// 2.12 added xloadflags, which says whether startup_64 exists; pref_address and init_size
// date from 2.10.
constexpr uint16_t kMinProtocol = 0x020c;
// "If this field is 0, the real value is 4" (setup_sects).
constexpr uint64_t kDefaultSetupSects = 4;
constexpr uint64_t kSectorSize = 512;
// The 64-bit entry, startup_64, is 0x200 bytes into the protected-mode kernel.
constexpr uint64_t kStartup64Offset = 0x200;

constexpr uint64_t image_offset(size_t field_offset) { return kSetupHeaderOffset + field_offset; }

static_assert(sizeof(setup_header) == 0x26c - kSetupHeaderOffset, "setup_header spans [0x1f1, 0x26c)");
static_assert(image_offset(offsetof(setup_header, boot_flag)) == 0x1fe);
static_assert(image_offset(offsetof(setup_header, header)) == 0x202);
static_assert(image_offset(offsetof(setup_header, version)) == 0x206);
static_assert(image_offset(offsetof(setup_header, xloadflags)) == 0x236);
static_assert(image_offset(offsetof(setup_header, pref_address)) == 0x258);
static_assert(image_offset(offsetof(setup_header, init_size)) == 0x260);
static_assert(kMinImageSize >= kSetupHeaderOffset + sizeof(setup_header));

// The header must reach the last field the loader uses.
constexpr uint64_t kRequiredHeaderEnd = image_offset(offsetof(setup_header, init_size) + sizeof(uint32_t));

std::string protocol_name(uint16_t version) {
    return std::to_string(version >> 8) + "." + std::to_string(version & 0xff);
}

// Checks the signatures and copies the header, bounded by its own length byte.
Result<setup_header> read_setup_header(std::span<const uint8_t> image) {
    if (image.size() < kMinImageSize)
        return Error::msg("kernel: truncated: bzImage of " + hex(image.size()) + " bytes is smaller than the " +
                          hex(kMinImageSize) + "-byte boot sector and setup header");
    // The image is at least kMinImageSize bytes, so these reads cannot fail.
    auto raw = read_at<setup_header>(image, kSetupHeaderOffset).value();
    if (raw.boot_flag != kBootFlag)
        return Error::msg("kernel: bzImage boot flag " + hex(raw.boot_flag) + " at 0x1fe is not 0xaa55");
    if (raw.header != kHdrSMagic)
        return Error::msg("kernel: bzImage header magic " + hex(raw.header) + " at 0x202 is not HdrS");
    if (raw.version < kMinProtocol)
        return Error::msg("kernel: bzImage boot protocol " + protocol_name(raw.version) + " is older than " +
                          protocol_name(kMinProtocol) + " (needed for xloadflags)");
    uint64_t header_end = kHeaderLengthBase + image[kHeaderLengthOffset];
    if (header_end < kRequiredHeaderEnd)
        return Error::msg("kernel: bzImage setup header ends at " + hex(header_end) + ", before init_size ends at " +
                          hex(kRequiredHeaderEnd));

    setup_header hdr{};
    uint64_t copied = std::min<uint64_t>(header_end - kSetupHeaderOffset, sizeof(setup_header));
    std::memcpy(&hdr, image.data() + kSetupHeaderOffset, static_cast<size_t>(copied));
    return hdr;
}

// Where to put the protected-mode kernel. The decompressor (arch/x86/boot/compressed/
// head_64.S) never decompresses below LOAD_PHYSICAL_ADDR, which is what pref_address
// holds: a non-relocatable kernel must run there, and a relocatable one loaded lower
// would still decompress there, so guest RAM would need both ranges. Loading at
// pref_address makes the footprint exactly [pref_address, + init_size). A relocatable
// kernel rounds its load address up to kernel_alignment, so pref_address must be aligned
// for that footprint to hold.
Result<GuestAddress> choose_load_address(const setup_header& hdr) {
    if (hdr.pref_address == 0)  // never for a 2.10+ kernel; the traditional address then
        return x86::kBzImageLoadAddr;
    if (hdr.relocatable_kernel != 0) {
        uint32_t align = hdr.kernel_alignment;
        if (!std::has_single_bit(align))
            return Error::msg("kernel: bzImage kernel_alignment " + hex(align) + " is not a power of two");
        if (hdr.pref_address % align != 0)
            return Error::msg("kernel: bzImage pref_address " + hex(hdr.pref_address) +
                              " is not a multiple of kernel_alignment " + hex(align));
    }
    return GuestAddress(hdr.pref_address);
}

}  // namespace

bool looks_like_bzimage(std::span<const uint8_t> image) {
    auto magic = read_at<uint32_t>(image, image_offset(offsetof(setup_header, header)));
    return magic && *magic == kHdrSMagic;
}

Result<LoadedKernel> load_bzimage(std::span<const uint8_t> image, GuestMemory& mem) {
    auto hdr = CW_TRY(read_setup_header(image));
    if ((hdr.xloadflags & XLF_KERNEL_64) == 0)
        return Error::msg("kernel: bzImage has no 64-bit entry point (xloadflags " + hex(hdr.xloadflags) +
                          " lacks XLF_KERNEL_64)");

    uint64_t setup_sects = hdr.setup_sects == 0 ? kDefaultSetupSects : hdr.setup_sects;
    uint64_t setup_size = (setup_sects + 1) * kSectorSize;  // + 1: the boot sector
    if (setup_size >= image.size())
        return Error::msg("kernel: truncated: bzImage setup of " + std::to_string(setup_sects) +
                          " sectors ends at " + hex(setup_size) + ", leaving no kernel in the file of " +
                          hex(image.size()) + " bytes");
    auto payload = image.subspan(static_cast<size_t>(setup_size));
    if (payload.size() <= kStartup64Offset)
        return Error::msg("kernel: bzImage protected-mode kernel of " + hex(payload.size()) +
                          " bytes does not reach the 64-bit entry at " + hex(kStartup64Offset));

    auto load = CW_TRY(choose_load_address(hdr));
    // init_size covers the decompressed kernel and the decompressor's buffers; the max()
    // only guards against a header whose init_size is smaller than the file.
    uint64_t footprint = std::max<uint64_t>(hdr.init_size, payload.size());
    auto end = load.checked_add(footprint);
    if (!end)
        return Error::msg("kernel: bzImage load range at " + hex(load.value()) + " of " + hex(footprint) +
                          " bytes wraps past 2^64");
    std::string range = "[" + hex(load.value()) + ", " + hex(end->value()) + ")";
    if (load < x86::kHighMemStart)
        return Error::msg("kernel: bzImage load range " + range + " starts below " +
                          hex(x86::kHighMemStart.value()) + ", which is reserved for boot structures");
    if (!mem.contains(load, footprint))
        return Error::msg("kernel: bzImage needs " + range + " (init_size " + hex(hdr.init_size) +
                          ") for in-place decompression, which is not inside guest RAM");

    CW_TRY(mem.write(load, std::as_bytes(payload)));
    return LoadedKernel{KernelFormat::BzImage, load.unchecked_add(kStartup64Offset), load, *end, hdr};
}

}  // namespace cw::vmm::loader
