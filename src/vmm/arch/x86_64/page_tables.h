// Identity page tables for the 64-bit boot protocol: boot.rst requires paging on with the
// loaded kernel, zero page and command line identity-mapped. [0, 4 GiB) is mapped with
// 2 MiB pages; the kernel builds its own tables early in startup_64.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::vmm::x86 {

// Writes PML4 at kPml4Addr, one PDPT at kPdptAddr and four PDs from kPdAddr. Returns the
// CR3 value (the PML4's address; no PCID, no PWT/PCD).
[[nodiscard]] Result<uint64_t> write_page_tables(GuestMemory& memory);

}  // namespace cw::vmm::x86
