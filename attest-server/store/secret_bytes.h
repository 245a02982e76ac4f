// SecretBytes: a std::vector<uint8_t> whose every buffer is wiped (OPENSSL_cleanse) before it
// is freed, on destruction and on reallocation alike, so disk keys do not linger in freed heap.
// It is a plain vector otherwise (data(), size(), spans, iteration); copies are SecretBytes too.
// What it cannot do: keep the bytes out of swap or core dumps, or wipe copies made into other
// types (a std::string or std::vector<uint8_t> built from it is the caller's to wipe).
#pragma once

#include <openssl/crypto.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace cw::attest::store {

template <class T>
struct WipingAllocator {
    using value_type = T;

    WipingAllocator() = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: rebinding must be implicit

    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        OPENSSL_cleanse(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }

    template <class U>
    bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const WipingAllocator<U>&) const noexcept { return false; }
};

using SecretBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;

}  // namespace cw::attest::store
