#include "vmm/arch/x86_64/page_tables.h"

#include <array>

#include "vmm/arch/x86_64/layout.h"

namespace cw::vmm::x86 {

namespace {

// Intel SDM vol. 3A, 4.5 "4-Level Paging": entry bits.
constexpr uint64_t kPtePresent = 1 << 0;
constexpr uint64_t kPteWritable = 1 << 1;
constexpr uint64_t kPtePageSize = 1 << 7;  // in a PD entry: maps a 2 MiB page

constexpr uint64_t kEntriesPerTable = 512;
constexpr uint64_t kTableSize = kEntriesPerTable * sizeof(uint64_t);
constexpr uint64_t kLargePageSize = 2 * kMiB;
constexpr uint64_t kPdCount = kIdentityMappedSize / (kEntriesPerTable * kLargePageSize);

static_assert(kTableSize == 4 * kKiB);
static_assert(kPdCount == 4, "four PDs of 512 x 2 MiB cover 4 GiB");
static_assert(kPdptAddr.value() == kPml4Addr.value() + kTableSize);
static_assert(kPdAddr.value() == kPdptAddr.value() + kTableSize);
static_assert(kPdAddr.value() + kPdCount * kTableSize <= kCmdlineAddr.value(), "PDs end before the command line");

using Table = std::array<uint64_t, kEntriesPerTable>;

}  // namespace

Result<uint64_t> write_page_tables(GuestMemory& memory, uint64_t encryption_mask) {
    Table pml4{};
    pml4[0] = kPdptAddr.value() | encryption_mask | kPtePresent | kPteWritable;
    CW_TRY(memory.write_obj(kPml4Addr, pml4).context("page tables: PML4"));

    Table pdpt{};
    for (uint64_t i = 0; i < kPdCount; ++i)
        pdpt[i] = (kPdAddr.value() + i * kTableSize) | encryption_mask | kPtePresent | kPteWritable;
    CW_TRY(memory.write_obj(kPdptAddr, pdpt).context("page tables: PDPT"));

    for (uint64_t pd_index = 0; pd_index < kPdCount; ++pd_index) {
        Table pd{};
        for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
            uint64_t phys = (pd_index * kEntriesPerTable + i) * kLargePageSize;
            pd[i] = phys | encryption_mask | kPtePresent | kPteWritable | kPtePageSize;
        }
        CW_TRY(memory.write_obj(kPdAddr.unchecked_add(pd_index * kTableSize), pd).context("page tables: PD"));
    }
    return kPml4Addr.value();
}

}  // namespace cw::vmm::x86
