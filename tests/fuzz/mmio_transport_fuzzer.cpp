// libFuzzer target for the virtio-mmio transport (devices/virtio/mmio_transport): every
// register access the guest can make, in any order and width, against the echo device,
// with guest memory (and so the rings) chosen by the input too.
//
// Input: a 2-byte little-endian length L, then L bytes copied to guest memory from address
// 0 (memory is [0, 16 KiB)), then operations, each starting with an op byte:
//   op % 8 in 0-1  read:    offset (2 bytes), size byte                 -> 1..8 bytes
//   op % 8 in 2-3  write:   offset (2 bytes), size byte, 8 value bytes  -> 1..8 bytes
//   op % 8 == 4    reg:     register index byte, 4 value bytes -> a 32-bit write to a
//                           known register (reaches the state machine faster)
//   op % 8 == 5    probe:   feature byte, size byte, 3 ring-offset bytes -> Linux's probe
//                           sequence with queue 0 in guest memory, then DRIVER_OK
//   op % 8 == 6    notify queue 0
//   op % 8 == 7    reset (Status = 0)
// Offsets: values below 0xf000 map to [0, 0x1008) (the window and just past it), the
// rest to the top of the 64-bit range. Checked: reads stay inside their buffer, register
// reads of a width other than 4 return zeros, the magic value never changes, DRIVER_OK is
// never set without FEATURES_OK, and FEATURES_OK only with VIRTIO_F_VERSION_1.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "devices/virtio/mmio_transport.h"
#include "devices/virtio/spec/virtio_config.h"
#include "devices/virtio/spec/virtio_mmio.h"
#include "devices/virtio/testing/echo_device.h"
#include "devices/virtio/testing/mmio_driver.h"
#include "vmm/memory/guest_memory.h"

namespace {

namespace virtio = cw::devices::virtio;
namespace vt = cw::devices::virtio::test;
using cw::vmm::GuestAddress;
using cw::vmm::GuestMemory;

constexpr uint64_t kMemSize = 0x4000;
constexpr uint8_t kGuard = 0xcc;
constexpr size_t kMaxAccess = 8;

constexpr uint64_t kRegisters[] = {
    virtio::VIRTIO_MMIO_DEVICE_FEATURES_SEL, virtio::VIRTIO_MMIO_DRIVER_FEATURES, virtio::VIRTIO_MMIO_DRIVER_FEATURES_SEL,
    virtio::VIRTIO_MMIO_QUEUE_SEL,           virtio::VIRTIO_MMIO_QUEUE_NUM,       virtio::VIRTIO_MMIO_QUEUE_READY,
    virtio::VIRTIO_MMIO_QUEUE_NOTIFY,        virtio::VIRTIO_MMIO_INTERRUPT_ACK,   virtio::VIRTIO_MMIO_STATUS,
    virtio::VIRTIO_MMIO_QUEUE_DESC_LOW,      virtio::VIRTIO_MMIO_QUEUE_DESC_HIGH, virtio::VIRTIO_MMIO_QUEUE_AVAIL_LOW,
    virtio::VIRTIO_MMIO_QUEUE_AVAIL_HIGH,    virtio::VIRTIO_MMIO_QUEUE_USED_LOW,  virtio::VIRTIO_MMIO_QUEUE_USED_HIGH,
    virtio::VIRTIO_MMIO_CONFIG,              virtio::VIRTIO_MMIO_CONFIG + 4,      virtio::VIRTIO_MMIO_SHM_SEL,
};

void check(bool ok) {
    if (!ok)
        std::abort();
}

class Input {
public:
    Input(const uint8_t* data, size_t size) : m_data(data, size) {}
    [[nodiscard]] bool empty() const { return m_pos >= m_data.size(); }
    uint8_t next() { return empty() ? 0 : m_data[m_pos++]; }
    uint64_t next_le(size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v |= uint64_t{next()} << (8 * i);
        return v;
    }
    std::span<const uint8_t> take(size_t n) {
        n = std::min(n, m_data.size() - m_pos);
        auto s = m_data.subspan(m_pos, n);
        m_pos += n;
        return s;
    }

private:
    std::span<const uint8_t> m_data;
    size_t m_pos = 0;
};

GuestMemory& memory() {
    static GuestMemory mem = [] {
        const std::array specs{cw::vmm::RegionSpec{GuestAddress(0), kMemSize}};
        auto m = GuestMemory::create_anonymous(specs);
        check(m.ok());
        return std::move(m).value();
    }();
    return mem;
}

uint64_t decode_offset(uint64_t raw) {
    return raw < 0xf000 ? raw % (virtio::kVirtioMmioWindowSize + kMaxAccess) : UINT64_MAX - (raw & 0xfff);
}

void fuzz_read(virtio::MmioTransport& t, Input& in) {
    const uint64_t offset = decode_offset(in.next_le(2));
    const size_t size = 1 + in.next() % kMaxAccess;
    std::array<uint8_t, kMaxAccess + 2> buf;
    buf.fill(kGuard);
    t.read(offset, std::span(buf.data() + 1, size));
    check(buf[0] == kGuard && buf[size + 1] == kGuard);
    if (offset < virtio::VIRTIO_MMIO_CONFIG && size != 4)
        check(std::all_of(buf.begin() + 1, buf.begin() + 1 + static_cast<std::ptrdiff_t>(size),
                          [](uint8_t b) { return b == 0; }));
}

void fuzz_write(virtio::MmioTransport& t, Input& in) {
    const uint64_t offset = decode_offset(in.next_le(2));
    const size_t size = 1 + in.next() % kMaxAccess;
    std::array<uint8_t, kMaxAccess> buf{};
    for (auto& b : buf)
        b = in.next();
    t.write(offset, std::span<const uint8_t>(buf.data(), size));
}

void fuzz_probe(virtio::MmioTransport& t, Input& in) {
    const uint8_t f = in.next();
    uint64_t wanted = virtio::test::EchoDevice::kFeatureEcho;
    if (f & 1)
        wanted |= virtio::feature_bit(virtio::VIRTIO_F_VERSION_1);
    if (f & 2)
        wanted |= virtio::feature_bit(virtio::VIRTIO_F_EVENT_IDX);
    if (f & 4)
        wanted |= virtio::feature_bit(virtio::VIRTIO_F_INDIRECT_DESC);
    (void)vt::negotiate(t, wanted);
    virtio::QueueConfig q;
    q.size = static_cast<uint16_t>(1U << (in.next() % 6));  // 1..32, sometimes above the max of 16
    q.desc_table = GuestAddress(uint64_t{in.next()} * 64);
    q.avail_ring = GuestAddress(uint64_t{in.next()} * 64);
    q.used_ring = GuestAddress(uint64_t{in.next()} * 64);
    vt::setup_queue(t, 0, q);
    vt::add_status(t, virtio::VIRTIO_CONFIG_S_DRIVER_OK);
}

void check_invariants(virtio::MmioTransport& t) {
    check(vt::mmio_read32(t, virtio::VIRTIO_MMIO_MAGIC_VALUE) == virtio::kVirtioMmioMagic);
    const uint32_t status = t.status();
    if (status & virtio::VIRTIO_CONFIG_S_DRIVER_OK)
        check((status & virtio::VIRTIO_CONFIG_S_FEATURES_OK) != 0);
    if (status & virtio::VIRTIO_CONFIG_S_FEATURES_OK)
        check((t.driver_features() & virtio::feature_bit(virtio::VIRTIO_F_VERSION_1)) != 0);
    check((t.driver_features() & ~t.offered_features()) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    GuestMemory& mem = memory();
    Input in(data, size);
    check(mem.fill(GuestAddress(0), kMemSize, 0).ok());
    const auto contents = in.take(std::min<uint64_t>(in.next_le(2), kMemSize));
    check(mem.write(GuestAddress(0), std::as_bytes(contents)).ok());

    auto echo = std::make_shared<vt::EchoDevice>();
    auto created = virtio::MmioTransport::create(echo, mem, [] {}, [&echo](uint16_t q) { echo->process_queue(q); });
    check(created.ok());
    virtio::MmioTransport& t = *created.value();
    while (!in.empty()) {
        switch (in.next() % 8) {
        case 0:
        case 1:
            fuzz_read(t, in);
            break;
        case 2:
        case 3:
            fuzz_write(t, in);
            break;
        case 4: {
            const uint64_t reg = kRegisters[in.next() % std::size(kRegisters)];
            vt::mmio_write32(t, reg, static_cast<uint32_t>(in.next_le(4)));
            break;
        }
        case 5:
            fuzz_probe(t, in);
            break;
        case 6:
            vt::mmio_write32(t, virtio::VIRTIO_MMIO_QUEUE_NOTIFY, 0);
            break;
        default:
            vt::mmio_write32(t, virtio::VIRTIO_MMIO_STATUS, 0);
            check(t.status() == 0 && !echo->active());
            break;
        }
        check_invariants(t);
    }
    return 0;
}
