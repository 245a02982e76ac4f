#include "devices/virtio/queue/mock_driver.h"

#include <cstdio>
#include <cstdlib>

#include "devices/virtio/queue/ring_index.h"

namespace cw::devices::virtio::test {

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "MockDriver: %s\n", what);
    std::abort();
}

uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

}  // namespace

template <class T>
void MockDriver::put(vmm::GuestAddress addr, const T& value) {
    if (!m_mem.write_obj(addr, value).ok())
        die("write outside guest memory");
}

template <class T>
T MockDriver::get(vmm::GuestAddress addr) const {
    auto v = m_mem.read_obj<T>(addr);
    if (!v.ok())
        die("read outside guest memory");
    return v.value();
}

MockDriver::MockDriver(vmm::GuestMemory& mem, vmm::GuestAddress ring_base, uint16_t size, vmm::GuestAddress data_base,
                       uint64_t data_size)
    : m_mem(mem), m_size(size), m_data(data_base), m_data_size(data_size) {
    if (size == 0)
        die("queue size 0");
    m_desc = ring_base;
    m_avail = ring_base.unchecked_add(desc_table_size(size));
    m_used = vmm::GuestAddress(align_up(m_avail.value() + avail_ring_size(size, true), kUsedRingAlign));
    if (!mem.fill(ring_base, rings_size(size), 0).ok() || !mem.fill(data_base, data_size, 0).ok())
        die("rings or data area outside guest memory");
}

uint64_t MockDriver::rings_size(uint16_t size) {
    const uint64_t used = align_up(desc_table_size(size) + avail_ring_size(size, true), kUsedRingAlign);
    return used + used_ring_size(size, true);
}

QueueConfig MockDriver::queue_config(uint16_t max_size) const {
    QueueConfig c;
    c.max_size = max_size;
    c.size = m_size;
    c.ready = true;
    c.desc_table = m_desc;
    c.avail_ring = m_avail;
    c.used_ring = m_used;
    return c;
}

vmm::GuestAddress MockDriver::alloc(uint64_t len, uint64_t align) {
    const uint64_t start = align_up(m_data_used, align);
    if (start > m_data_size || len > m_data_size - start)
        die("data area exhausted");
    m_data_used = start + len;
    return m_data.unchecked_add(start);
}

MockDriver::Buffer MockDriver::readable(std::span<const uint8_t> bytes) {
    const vmm::GuestAddress addr = alloc(bytes.size(), 8);
    if (!m_mem.write(addr, std::as_bytes(bytes)).ok())
        die("buffer outside guest memory");
    return {addr, static_cast<uint32_t>(bytes.size()), false};
}

MockDriver::Buffer MockDriver::readable(std::string_view text) {
    return readable(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

MockDriver::Buffer MockDriver::writable(uint32_t len) { return {alloc(len, 8), len, true}; }

std::vector<uint8_t> MockDriver::contents(const Buffer& buffer) const {
    std::vector<uint8_t> out(buffer.len);
    if (!m_mem.read(buffer.addr, std::as_writable_bytes(std::span(out))).ok())
        die("buffer outside guest memory");
    return out;
}

uint16_t MockDriver::take_desc() {
    const uint16_t i = m_next_desc;
    m_next_desc = static_cast<uint16_t>((m_next_desc + 1) % m_size);
    return i;
}

uint16_t MockDriver::add_chain(std::span<const Buffer> buffers) {
    if (buffers.empty() || buffers.size() > m_size)
        die("chain length");
    const uint16_t head = m_next_desc;
    for (size_t i = 0; i < buffers.size(); ++i) {
        const uint16_t index = take_desc();
        const bool last = i + 1 == buffers.size();
        const auto flags = static_cast<uint16_t>((buffers[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
                                                 (last ? 0 : VIRTQ_DESC_F_NEXT));
        write_desc(index, {buffers[i].addr.value(), buffers[i].len, flags, last ? uint16_t{0} : m_next_desc});
    }
    make_available(head);
    return head;
}

uint16_t MockDriver::add_indirect_chain(std::span<const Buffer> buffers) {
    std::vector<VirtqDesc> table;
    for (size_t i = 0; i < buffers.size(); ++i) {
        const bool last = i + 1 == buffers.size();
        const auto flags = static_cast<uint16_t>((buffers[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
                                                 (last ? 0 : VIRTQ_DESC_F_NEXT));
        table.push_back({buffers[i].addr.value(), buffers[i].len, flags, static_cast<uint16_t>(last ? 0 : i + 1)});
    }
    const vmm::GuestAddress addr = write_table(table);
    const uint16_t head = take_desc();
    write_desc(head, {addr.value(), static_cast<uint32_t>(table.size() * sizeof(VirtqDesc)), VIRTQ_DESC_F_INDIRECT, 0});
    make_available(head);
    return head;
}

void MockDriver::write_desc(uint16_t index, const VirtqDesc& desc) {
    put(m_desc.unchecked_add((uint64_t{index} % m_size) * sizeof(VirtqDesc)), desc);
}

vmm::GuestAddress MockDriver::write_table(std::span<const VirtqDesc> table) {
    const vmm::GuestAddress addr = alloc(table.size_bytes(), kDescTableAlign);
    if (!m_mem.write(addr, std::as_bytes(table)).ok())
        die("table outside guest memory");
    return addr;
}

void MockDriver::make_available(uint16_t head) {
    put(m_avail.unchecked_add(kAvailRingOffset + kAvailElemSize * (m_avail_idx % m_size)), head);
    set_avail_idx(static_cast<uint16_t>(m_avail_idx + 1));
}

void MockDriver::set_avail_idx(uint16_t idx) {
    m_avail_idx = idx;
    if (!store_ring_index(m_mem, m_avail.unchecked_add(kAvailIdxOffset), idx).ok())
        die("avail idx outside guest memory");
}

void MockDriver::set_avail_flags(uint16_t flags) { put(m_avail.unchecked_add(kAvailFlagsOffset), flags); }
void MockDriver::set_used_event(uint16_t idx) { put(m_avail.unchecked_add(used_event_offset(m_size)), idx); }
uint16_t MockDriver::avail_event() const { return get<uint16_t>(m_used.unchecked_add(avail_event_offset(m_size))); }

uint16_t MockDriver::used_idx() const {
    auto idx = load_ring_index(m_mem, m_used.unchecked_add(kUsedIdxOffset));
    if (!idx.ok())
        die("used idx outside guest memory");
    return idx.value();
}

std::optional<VirtqUsedElem> MockDriver::next_used() {
    if (used_idx() == m_last_used)
        return std::nullopt;
    const uint64_t slot = m_last_used % m_size;
    ++m_last_used;
    return get<VirtqUsedElem>(m_used.unchecked_add(kUsedRingOffset + sizeof(VirtqUsedElem) * slot));
}

}  // namespace cw::devices::virtio::test
