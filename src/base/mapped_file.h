// A whole file mapped read-only: kernel and initramfs images are read without copying them
// into a heap buffer first.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace cw {

class MappedFile {
public:
    // Refuses directories, empty files and files larger than max_size, naming the path.
    static Result<MappedFile> open(const std::string& path, uint64_t max_size);

    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&&) = delete;
    MappedFile(const MappedFile&) = delete;
    ~MappedFile();

    [[nodiscard]] std::span<const uint8_t> bytes() const { return {m_data, m_size}; }

private:
    MappedFile(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
    const uint8_t* m_data;
    size_t m_size;
};

}  // namespace cw
