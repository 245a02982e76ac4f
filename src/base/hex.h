// Formats addresses and sizes for error messages: "0x1f000".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace cw {

[[nodiscard]] inline std::string hex(uint64_t v) {
    char buf[19];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace cw
