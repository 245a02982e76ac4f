#include "tee/launch/launch_pages.h"

#include <string>

#include "base/hex.h"

namespace cw::tee {

Result<void> LaunchPages::add(const vmm::GuestMemory& memory, vmm::GuestAddress gpa, uint64_t len) {
    if (len == 0)
        return {};
    if (!memory.contains(gpa, len))
        return Error::msg("launch range " + hex(gpa.value()) + "+" + hex(len) + " is not inside guest RAM");
    // contains() checked gpa + len does not wrap; RAM regions are page-aligned, so every page
    // the range touches is RAM too.
    const uint64_t first = gpa.value() & ~(kLaunchPageSize - 1);
    const uint64_t end = gpa.value() + len;
    for (uint64_t page = first; page < end; page += kLaunchPageSize)
        m_pages.insert(page);
    return {};
}

}  // namespace cw::tee
