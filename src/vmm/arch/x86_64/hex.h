// Internal to arch/x86_64: formats addresses and sizes for error messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace cw::vmm::x86 {

[[nodiscard]] inline std::string hex(uint64_t v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace cw::vmm::x86
