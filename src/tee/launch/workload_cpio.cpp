#include "tee/launch/workload_cpio.h"

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "base/mapped_file.h"

namespace cw::tee {

namespace {

void pad4(std::vector<uint8_t>& out) {
    while (out.size() % 4 != 0)
        out.push_back(0);
}

// One header (buffer-format.rst: "070701" and 13 eight-digit hex fields), the name with its
// NUL, padding to 4 bytes.
void append_header(std::vector<uint8_t>& out, uint32_t ino, uint32_t mode, uint32_t nlink, uint32_t size,
                   std::string_view name) {
    const uint32_t fields[13] = {ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, static_cast<uint32_t>(name.size() + 1), 0};
    const std::string_view magic = "070701";
    out.insert(out.end(), magic.begin(), magic.end());
    for (uint32_t f : fields) {
        char digits[9];
        std::snprintf(digits, sizeof digits, "%08x", f);
        out.insert(out.end(), digits, digits + 8);
    }
    out.insert(out.end(), name.begin(), name.end());
    out.push_back(0);
    pad4(out);
}

}  // namespace

std::vector<uint8_t> write_cpio_newc(std::span<const CpioEntry> entries) {
    std::vector<uint8_t> out;
    uint32_t ino = 1;
    for (const CpioEntry& e : entries) {
        const uint32_t nlink = S_ISDIR(e.mode) ? 2 : 1;
        append_header(out, ino++, e.mode, nlink, static_cast<uint32_t>(e.data.size()), e.name);
        out.insert(out.end(), e.data.begin(), e.data.end());
        pad4(out);
    }
    append_header(out, 0, 0, 1, 0, "TRAILER!!!");
    out.resize((out.size() + 511) / 512 * 512, 0);
    return out;
}

std::vector<uint8_t> workload_config_cpio(std::span<const uint8_t> config) {
    const std::string_view path = kWorkloadConfigGuestPath.substr(1);  // "cw/workload.json"
    const CpioEntry entries[] = {
        {std::string(path.substr(0, path.find('/'))), S_IFDIR | 0755, {}},
        {std::string(path), S_IFREG | 0444, {config.begin(), config.end()}},
    };
    return write_cpio_newc(entries);
}

Result<std::vector<uint8_t>> read_workload_config(const std::string& path) {
    auto file = CW_TRY(MappedFile::open(path, kMaxWorkloadConfigBytes).context("workload config"));
    auto bytes = file.bytes();
    if (!nlohmann::json::accept(bytes.begin(), bytes.end()))
        return Error::msg("workload config " + path + ": not a JSON document");
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<HostData> workload_host_data(std::span<const uint8_t> config) {
    HostData out{};
    unsigned int len = 0;
    if (EVP_Digest(config.data(), config.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
        return Error::msg("SHA-256 of the workload config failed (OpenSSL)");
    return out;
}

}  // namespace cw::tee
