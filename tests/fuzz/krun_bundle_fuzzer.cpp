// config.json as krun reads it (podman/krun/bundle_config.h), then admission: the bundle
// comes from whoever calls the runtime. Never crashes; whatever is accepted has a command
// and an absolute root, and what admission lets through keeps the image's entrypoint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admission.h"
#include "bundle_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = cw::krun::parse_bundle_config(text, "/bundle");
    if (!config.ok())
        return 0;
    if (config.value().args.empty() || config.value().root_path.front() != '/')
        __builtin_trap();
    for (const char* tee : {"none", "sim"}) {
        auto admitted = cw::krun::admit(config.value(), tee);
        if (admitted.ok() && (config.value().args.front() != cw::krun::kImageEntrypoint ||
                              (tee[0] == 's' && !admitted.value().guest_args.empty())))
            __builtin_trap();
    }
    return 0;
}
