#include "store/store_test_util.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace cw::attest::store::test {

TempDir::TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "cw-store-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    m_path = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

void write_file(const std::string& path, std::span<const uint8_t> bytes, mode_t mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out)
            throw std::runtime_error("cannot write " + path);
    }
    if (::chmod(path.c_str(), mode) != 0)
        throw std::runtime_error("cannot chmod " + path);
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
    write_file(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), mode);
}

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(std::span<const uint8_t> haystack, std::span<const uint8_t> needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace cw::attest::store::test
