// A stream of bytes a layer is read from: a file descriptor, or memory (fuzzing, tests).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
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

// Reports the bytes read through it (oci2cw's progress line); passes everything else on.
class CountingSource final : public ByteSource {
public:
    CountingSource(std::unique_ptr<ByteSource> inner, std::function<void(size_t)> on_read)
        : m_inner(std::move(inner)), m_on_read(std::move(on_read)) {}
    Result<size_t> read(std::span<uint8_t> buf) override {
        size_t n = CW_TRY(m_inner->read(buf));
        if (n > 0 && m_on_read)
            m_on_read(n);
        return n;
    }

private:
    std::unique_ptr<ByteSource> m_inner;
    std::function<void(size_t)> m_on_read;
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
