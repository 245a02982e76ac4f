// The guest-physical pages a launch writes before the first vCPU runs. The loader records
// every range it writes (kernel, initramfs, command line, zero page, MP table, page tables,
// GDT/IDT); the launch measurement (sim_launch.h, and later the SNP launch path) walks the
// result in ascending GPA order, each 4 KiB page once, with the contents it has in guest
// memory at that point. Ranges are recorded, not copied: what is measured is what the guest
// will find, including whatever else shares a page.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::tee {

inline constexpr uint64_t kLaunchPageSize = 0x1000;

class LaunchPages {
public:
    // Records [gpa, gpa + len): every 4 KiB page it touches. The range must lie inside one
    // RAM region of `memory` (a range outside RAM is a VMM bug, refused rather than
    // measured as something the guest cannot see). len 0 records nothing.
    [[nodiscard]] Result<void> add(const vmm::GuestMemory& memory, vmm::GuestAddress gpa, uint64_t len);

    // Page-aligned GPAs, ascending, each once.
    [[nodiscard]] std::vector<uint64_t> pages() const { return {m_pages.begin(), m_pages.end()}; }
    [[nodiscard]] size_t size() const { return m_pages.size(); }
    // Whether the 4 KiB page at `gpa` (page aligned) was recorded.
    [[nodiscard]] bool contains(uint64_t gpa) const { return m_pages.contains(gpa); }

private:
    std::set<uint64_t> m_pages;
};

}  // namespace cw::tee
