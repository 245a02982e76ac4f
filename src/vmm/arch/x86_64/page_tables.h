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
//
// `encryption_mask` is ORed into every entry's address: an SEV-SNP guest passes its C-bit
// (1 << 51), because a data access through an entry without it is a shared access, which
// faults on the guest's private (launched) memory before the kernel has built tables of its
// own. The hardware walks the tables themselves as private, so CR3 carries no mask.
[[nodiscard]] Result<uint64_t> write_page_tables(GuestMemory& memory, uint64_t encryption_mask = 0);

}  // namespace cw::vmm::x86
