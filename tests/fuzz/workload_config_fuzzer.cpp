// workload.json (src/workload/workload_config.h): read by cwrun from any file it is given and
// by guest-init. Never crashes; whatever is accepted satisfies the invariants the guest relies
// on (the verity tree follows the data, the file name has no path, TEE <=> LUKS2).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "workload/workload_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = cw::workload::parse_workload_config(text);
    if (config.ok()) {
        const auto& c = config.value();
        const auto& v = c.rootfs.verity;
        if (v.hash_offset != v.data_blocks * cw::workload::kBlockSize || c.rootfs.file.find('/') != std::string::npos ||
            (c.tee == cw::workload::Tee::None) == c.rootfs.encryption.has_value() || c.cpus == 0 || c.cpus > 64)
            __builtin_trap();
    }
    return 0;
}
