// Helpers for the disk tests: a scratch directory, files of deterministic pseudo-random
// bytes, and running the cryptsetup-bin tools (veritysetup, cryptsetup) as independent
// checkers of what this library writes.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cw::disk::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "cw-disk-test.XXXXXX").string();
        m_path = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        if (!m_path.empty())
            std::filesystem::remove_all(m_path, ec);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

// xorshift bytes: reproducible and not compressible, so blocks differ.
inline std::vector<uint8_t> pseudo_random(size_t size, uint64_t seed) {
    std::vector<uint8_t> v(size);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<uint8_t>(x >> 32);
    }
    return v;
}

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Command {
    int status = -1;  // exit code, -1 if it did not run or was killed
    std::string output;  // stdout and stderr
};

// Runs a shell command line (arguments are test-controlled paths and hex).
inline Command run(const std::string& command) {
    Command c;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr)
        return c;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        c.output.append(buf, n);
    int st = ::pclose(p);
    c.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return c;
}

}  // namespace cw::disk::test
