// Storage for a KVM structure that ends in a flexible array (kvm_cpuid2, kvm_msrs): the
// header plus room for `count` entries, zeroed (KVM rejects non-zero padding) and aligned
// for the 64-bit fields of the entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace cw::vmm {

template <class Header, class Entry>
class FlexBuffer {
public:
    explicit FlexBuffer(size_t count)
        : m_storage(std::make_unique<uint64_t[]>((sizeof(Header) + count * sizeof(Entry) + 7) / 8)) {}

    Header* get() { return reinterpret_cast<Header*>(m_storage.get()); }
    Header* operator->() { return get(); }

private:
    std::unique_ptr<uint64_t[]> m_storage;  // value-initialised: all zero
};

}  // namespace cw::vmm
