// oci2cw's JSON parsers (index.json with its platform selection, manifests, image configs, docker manifest.json) on
// arbitrary bytes: every result must be a value or an Error, never a crash or a throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "image/oci_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)cw::oci::parse_oci_layout(text);
    (void)cw::oci::parse_index(text, std::nullopt);
    (void)cw::oci::parse_index(text, std::string("latest"));
    // Platform selection and nested-index naming (a multi-platform index's paths).
    (void)cw::oci::parse_index(text, std::nullopt, cw::oci::Platform{"linux", "arm64", "v8"}, "index 0123");
    (void)cw::oci::parse_platform(text);
    (void)cw::oci::parse_manifest(text);
    (void)cw::oci::parse_config(text);
    (void)cw::oci::parse_docker_manifest(text);
    (void)cw::oci::parse_digest(text);
    return 0;
}
