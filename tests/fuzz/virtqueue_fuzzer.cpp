// libFuzzer target for the split virtqueue (devices/virtio/queue): the guest owns the
// rings and every descriptor, so any memory contents must leave the device side safe.
//
// Input: byte 0 chooses the queue size (1 << (b % 9): 1..256), byte 1 the negotiated
// features (bit 0 EVENT_IDX, bit 1 INDIRECT_DESC); the rest is copied to guest memory
// from address 0. Guest memory is [0, 64 KiB) plus [128 KiB, 132 KiB), so descriptors can
// point into a hole, past the end, across a region edge or near 2^64. The rings are packed
// at the start, where short inputs reach them: the available ring at 0, the descriptor
// table at the next 16-byte boundary, the used ring right after the table.
//
// Pops chains until the queue is empty or broken (bounded: a device that writes into the
// ring can keep it non-empty), copies readable bytes into writable ones through
// ChainReader/ChainWriter (the way the echo device does, and with next_slice()), returns
// each chain, and asks for notifications. Checked: every chain obeys what DescriptorChain
// promises, and a broken queue stays broken. ASan checks that nothing leaves GuestMemory.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "devices/virtio/queue/chain_io.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_ring.h"
#include "vmm/memory/guest_memory.h"
#include "fuzz_ring.h"

namespace {

using cw::devices::virtio::ChainReader;
using cw::devices::virtio::ChainWriter;
using cw::devices::virtio::DescriptorChain;
using cw::devices::virtio::Queue;
using cw::devices::virtio::QueueConfig;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;
namespace virtio = cw::devices::virtio;

using cw::fuzz::check;

void check_chain(const GuestMemory& mem, const DescriptorChain& chain, uint16_t size) {
    check(chain.head_index() < size);
    check(chain.segments().size() <= size);
    uint64_t total = 0;
    bool seen_writable = false;
    for (const auto& s : chain.segments()) {
        check(s.len > 0 && mem.contains(s.addr, s.len));
        check(!seen_writable || s.writable);
        seen_writable = s.writable;
        total += s.len;
    }
    check(total <= UINT32_MAX && total == uint64_t{chain.readable_len()} + chain.writable_len());
}

// Copies readable bytes to writable ones; alternates between copies and in-place slices.
uint32_t echo(GuestMemory& mem, const DescriptorChain& chain, bool slices) {
    ChainReader reader(mem, chain);
    ChainWriter writer(mem, chain);
    std::array<std::byte, 64> bounce;
    while (reader.remaining() > 0 && writer.remaining() > 0) {
        if (slices) {
            auto in = reader.next_slice(writer.remaining());
            check(in.ok());
            auto out = writer.next_slice(in.value().size());
            check(out.ok() && !out.value().empty());
            std::memmove(out.value().data(), in.value().data(), out.value().size());  // the guest's bytes: may overlap
            continue;
        }
        const size_t n = std::min({bounce.size(), reader.remaining(), writer.remaining()});
        check(reader.read(std::span(bounce).first(n)).ok());
        check(writer.write(std::span(bounce).first(n)).ok());
    }
    if (reader.remaining() < bounce.size())  // reading past the readable part must fail
        check(!reader.read(std::span(bounce).first(reader.remaining() + 1)).ok());
    return static_cast<uint32_t>(writer.consumed());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2)
        return 0;
    GuestMemory& mem = cw::fuzz::fuzz_memory();
    auto [config, features] = cw::fuzz::lay_out_ring(std::span(data, size), 256);
    auto created = Queue::create(config, mem, features);
    check(created.ok());
    Queue queue = std::move(created).value();

    const uint32_t max_pops = 4U * config.size + 8;
    for (uint32_t i = 0; i < max_pops; ++i) {
        auto popped = queue.pop(mem);
        if (!popped.ok()) {
            check(queue.broken() && !queue.pop(mem).ok());
            break;
        }
        if (!popped.value())
            break;
        const DescriptorChain& chain = *popped.value();
        check_chain(mem, chain, config.size);
        const uint32_t written = echo(mem, chain, (i & 1) != 0);
        check(written <= chain.writable_len());
        check(queue.add_used(mem, chain.head_index(), written).ok());
        (void)queue.needs_notification(mem);
    }
    return 0;
}
