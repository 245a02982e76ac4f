// A stream of bytes a layer is read from: a file descriptor, or memory (fuzzing, tests).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <span>

#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::oci {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Fills up to buf.size() bytes; 0 at end of stream.
    [[nodiscard]] virtual Result<size_t> read(std::span<uint8_t> buf) = 0;
};

class FdSource final : public ByteSource {
public:
    explicit FdSource(UniqueFd fd) : m_fd(std::move(fd)) {}
    Result<size_t> read(std::span<uint8_t> buf) override {
        ssize_t n = ::read(m_fd.get(), buf.data(), buf.size());
        if (n < 0)
            return Error::sys("read layer");
        return static_cast<size_t>(n);
    }

private:
    UniqueFd m_fd;
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::span<const uint8_t> bytes) : m_bytes(bytes) {}
    Result<size_t> read(std::span<uint8_t> buf) override {
        size_t n = std::min(buf.size(), m_bytes.size());
        if (n)
            std::memcpy(buf.data(), m_bytes.data(), n);
        m_bytes = m_bytes.subspan(n);
        return n;
    }

private:
    std::span<const uint8_t> m_bytes;
};

}  // namespace cw::oci
