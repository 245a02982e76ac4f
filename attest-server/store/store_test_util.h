// Test helpers for the store tests: a temporary directory removed at the end, file I/O.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace cw::attest::store::test {

class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    [[nodiscard]] std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

// Writes `bytes` to `path` with exactly `mode` (chmod after creation, umask notwithstanding).
void write_file(const std::string& path, std::span<const uint8_t> bytes, mode_t mode);
void write_file(const std::string& path, const std::string& text, mode_t mode);
// The file's bytes, or empty when it does not exist.
std::vector<uint8_t> read_file(const std::string& path);
bool contains(std::span<const uint8_t> haystack, std::span<const uint8_t> needle);

}  // namespace cw::attest::store::test
