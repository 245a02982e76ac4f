// Atomic accesses to the 16-bit ring indices the driver and the device share (avail idx,
// used idx). The other side runs on another CPU: each index is read and written as one
// aligned 16-bit access, with acquire (load) or release (store) ordering, so the ring
// entries it covers are seen before / published before the index itself (2.7.13 and
// 2.7.8: "the device MUST ... before updating idx").
#pragma once

#include <atomic>
#include <cstdint>

#include "base/result.h"
#include "vmm/memory/guest_memory.h"

namespace cw::devices::virtio {

namespace detail {
// The 16-bit word at `addr`; the rings' alignment (checked at validation) keeps it aligned.
inline Result<uint16_t*> ring_word(const vmm::GuestMemory& mem, vmm::GuestAddress addr) {
    auto bytes = CW_TRY(mem.slice(addr, sizeof(uint16_t)));
    if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint16_t) != 0)
        return Error::msg("virtqueue: misaligned ring index");
    return reinterpret_cast<uint16_t*>(bytes.data());
}
}  // namespace detail

[[nodiscard]] inline Result<uint16_t> load_ring_index(const vmm::GuestMemory& mem, vmm::GuestAddress addr) {
    uint16_t* word = CW_TRY(detail::ring_word(mem, addr));
    return std::atomic_ref<uint16_t>(*word).load(std::memory_order_acquire);
}

[[nodiscard]] inline Result<void> store_ring_index(vmm::GuestMemory& mem, vmm::GuestAddress addr, uint16_t value) {
    uint16_t* word = CW_TRY(detail::ring_word(mem, addr));
    std::atomic_ref<uint16_t>(*word).store(value, std::memory_order_release);
    return {};
}

}  // namespace cw::devices::virtio
