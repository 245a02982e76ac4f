// Test-only helpers: locating the shared attestation vectors (meson passes CW_VECTORS_DIR).
// A missing directory or file FAILS the test: a skipped verifier test looks like a passing one.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/x509/cert.h"

namespace cw::attest::testing {

// All SNP chains verify at 2025-06-01T00:00:00Z (vectors/README.md "Verification times to pin").
inline constexpr int64_t kSnpPinnedTime = 1748736000;
// TDX collateral (CRLs, TCB info) at 2023-06-20T00:00:00Z.
inline constexpr int64_t kTdxCollateralTime = 1687219200;

inline std::string vector_path(std::string_view relative) {
    const char* dir = std::getenv("CW_VECTORS_DIR");
    REQUIRE_MESSAGE(dir != nullptr, "CW_VECTORS_DIR is not set (meson test sets it to the vectors_dir option)");
    std::string path = std::string(dir) + "/" + std::string(relative);
    REQUIRE_MESSAGE(std::filesystem::is_regular_file(path), "missing test vector " << path);
    return path;
}

inline std::vector<uint8_t> vector_bytes(std::string_view relative) {
    auto bytes = read_file_bytes(vector_path(relative), 1 << 20);
    REQUIRE_MESSAGE(bytes.ok(), bytes.error().to_string());
    return std::move(bytes).value();
}

inline X509Ptr vector_cert(std::string_view relative) {
    auto cert = load_cert_file(vector_path(relative));
    REQUIRE_MESSAGE(cert.ok(), cert.error().to_string());
    return std::move(cert).value();
}

inline std::vector<X509Ptr> vector_bundle(std::string_view relative) {
    auto certs = load_cert_bundle_file(vector_path(relative));
    REQUIRE_MESSAGE(certs.ok(), certs.error().to_string());
    return std::move(certs).value();
}

}  // namespace cw::attest::testing
