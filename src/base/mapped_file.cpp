#include "base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <utility>

#include "base/unique_fd.h"

namespace cw {

Result<MappedFile> MappedFile::open(const std::string& path, uint64_t max_size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys(path);
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0)
        return Error::sys(path);
    if (!S_ISREG(st.st_mode))
        return Error::msg(path + ": not a regular file");
    if (st.st_size == 0)
        return Error::msg(path + ": empty file");
    auto size = static_cast<uint64_t>(st.st_size);
    if (size > max_size)
        return Error::msg(path + ": " + std::to_string(size) + " bytes is larger than the limit of " +
                          std::to_string(max_size));
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED)
        return Error::sys(path + ": mmap");
    return MappedFile(static_cast<const uint8_t*>(p), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

MappedFile::~MappedFile() {
    if (m_data != nullptr)
        ::munmap(const_cast<uint8_t*>(m_data), m_size);
}

}  // namespace cw
