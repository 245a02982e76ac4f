// The SEV-SNP certificate table from the host (configfs-tsm auxblob;
// src/guest-init/snp_cert_table.h): every accepted certificate lies inside the blob, after
// the table, within the size bound.
#include <cstddef>
#include <cstdint>
#include <span>

#include "guest-init/snp_cert_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto certs = cw::guest::parse_snp_cert_table(std::span<const uint8_t>(data, size));
    if (certs.ok()) {
        for (const auto& c : certs.value()) {
            if (c.der.empty() || c.der.size() > cw::guest::kMaxSnpCertBytes || c.der.size() > size)
                __builtin_trap();
        }
    }
    return 0;
}
