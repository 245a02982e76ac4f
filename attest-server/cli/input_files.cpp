#include "cli/input_files.h"

#include <filesystem>

#include "evidence/x509/cert.h"

namespace cw::attest::cli {

Result<std::vector<uint8_t>> read_input_file(const std::string& path, uint64_t max_size) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 && !ec)
        return std::vector<uint8_t>{};
    return read_file_bytes(path, max_size);
}

}  // namespace cw::attest::cli
